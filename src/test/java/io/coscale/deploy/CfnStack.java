package io.coscale.deploy;

import io.coscale.deploy.iam.IamPolicy;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A template as CloudFormation would instantiate it with given parameters: {@code Ref}, {@code Fn::GetAtt},
 * {@code Fn::Sub}, {@code Fn::If}, {@code Fn::Join} and the condition functions resolved to plain values, and the
 * physical names and ARNs of the resources the roles' policies name (queues, services, clusters, the lease table) as
 * AWS would give them in one Region and account. Only what the templates' policies, conditions and outputs need.
 */
final class CfnStack {

    /** AWS::NoValue, dropped from lists and properties. */
    private static final Object NO_VALUE = new Object();
    private static final Pattern SUB_VARIABLE = Pattern.compile("\\$\\{([^}!]+)}");

    private final CfnTemplate template;
    private final String stackName;
    private final String region;
    private final String account;
    private final Map<String, Object> parameters = new LinkedHashMap<>();
    private final Map<String, Object> physicalIds;

    /**
     * @param parameters the parameters passed; every other one takes its Default (CommaDelimitedList values become lists)
     * @param physicalIds names CloudFormation generates itself (e.g. a DynamoDB table without TableName), by logical id
     */
    CfnStack(CfnTemplate template, String stackName, String region, String account, Map<String, String> parameters,
            Map<String, String> physicalIds) {
        this.template = template;
        this.stackName = stackName;
        this.region = region;
        this.account = account;
        this.physicalIds = Map.copyOf(physicalIds);
        template.parameterNames().forEach(name -> {
            Map<String, Object> declared = template.parameter(name);
            Object value = parameters.containsKey(name) ? parameters.get(name) : declared.get("Default");
            if (value == null) {
                throw new AssertionError(stackName + ": parameter " + name + " has no value and no default");
            }
            String text = String.valueOf(value);
            this.parameters.put(name, String.valueOf(declared.get("Type")).equals("CommaDelimitedList")
                    || String.valueOf(declared.get("Type")).startsWith("List<") ? List.of(text.split(",")) : text);
        });
    }

    /** Every statement of a role's inline policies, resolved. */
    List<IamPolicy.Statement> statements(String roleId) {
        List<IamPolicy.Statement> statements = new ArrayList<>();
        for (Map<String, Object> s : template.statements(roleId)) {
            List<IamPolicy.Condition> conditions = new ArrayList<>();
            Map<String, Object> block = CfnTemplate.asMap(s.getOrDefault("Condition", Map.of()));
            block.forEach((operator, keys) -> CfnTemplate.asMap(keys).forEach((key, values) ->
                    conditions.add(new IamPolicy.Condition(operator, key, strings(resolve(values))))));
            boolean notAction = s.containsKey("NotAction");
            boolean notResource = s.containsKey("NotResource");
            statements.add(new IamPolicy.Statement(String.valueOf(s.get("Sid")), "Allow".equals(s.get("Effect")),
                    strings(resolve(s.get(notAction ? "NotAction" : "Action"))), notAction,
                    strings(resolve(s.get(notResource ? "NotResource" : "Resource"))), notResource, conditions));
        }
        return statements;
    }

    /** An output's value. */
    String output(String name) {
        Map<String, Object> outputs = CfnTemplate.map(template.root(), "Outputs");
        return String.valueOf(resolve(CfnTemplate.asMap(outputs.get(name)).get("Value")));
    }

    /** Whether a resource has a property once resolved: absent, or {@code AWS::NoValue} for the conditions taken, is not. */
    boolean hasProperty(String logicalId, String property) {
        Object value = property(logicalId, property);
        return value != null && value != NO_VALUE;
    }

        /** A resource property, resolved (for names and settings). */
    Object property(String logicalId, String property) {
        return resolve(template.properties(logicalId).get(property));
    }

    private static List<String> strings(Object value) {
        List<String> out = new ArrayList<>();
        for (Object o : CfnTemplate.list(value)) {
            if (o instanceof List<?> nested) {
                nested.forEach(n -> out.add(String.valueOf(n)));
            } else if (o != NO_VALUE) {
                out.add(String.valueOf(o));
            }
        }
        return out;
    }

    Object resolve(Object node) {
        if (node instanceof List<?> list) {
            List<Object> out = new ArrayList<>();
            for (Object item : list) {
                Object value = resolve(item);
                if (value != NO_VALUE) {
                    out.add(value);
                }
            }
            return out;
        }
        if (!(node instanceof Map<?, ?> map)) {
            return node;
        }
        if (map.size() == 1) {
            String fn = String.valueOf(map.keySet().iterator().next());
            Object arg = map.values().iterator().next();
            switch (fn) {
                case "Ref":
                    return ref(String.valueOf(arg));
                case "Fn::GetAtt":
                    List<?> att = (List<?>) arg;
                    return getAtt(String.valueOf(att.get(0)), String.valueOf(att.get(1)));
                case "Fn::Sub":
                    return sub(arg);
                case "Fn::If":
                    List<?> branches = (List<?>) arg;
                    return resolve(condition(String.valueOf(branches.get(0))) ? branches.get(1) : branches.get(2));
                case "Fn::Join":
                    List<?> join = (List<?>) arg;
                    return String.join(String.valueOf(join.get(0)), strings(resolve(join.get(1))));
                case "Fn::Equals", "Fn::Not", "Fn::And", "Fn::Or", "Condition":
                    return evaluate(map);
                default:
                    break;
            }
        }
        Map<String, Object> out = new LinkedHashMap<>();
        map.forEach((k, v) -> {
            Object value = resolve(v);
            if (value != NO_VALUE) {
                out.put(String.valueOf(k), value);
            }
        });
        return out;
    }

    private boolean condition(String name) {
        return evaluate(CfnTemplate.map(template.root(), "Conditions").get(name));
    }

    private boolean evaluate(Object node) {
        Map<?, ?> map = (Map<?, ?>) node;
        String fn = String.valueOf(map.keySet().iterator().next());
        Object arg = map.values().iterator().next();
        return switch (fn) {
            case "Fn::Equals" -> String.valueOf(resolve(((List<?>) arg).get(0)))
                    .equals(String.valueOf(resolve(((List<?>) arg).get(1))));
            case "Fn::Not" -> !evaluate(((List<?>) arg).get(0));
            case "Fn::And" -> ((List<?>) arg).stream().allMatch(this::evaluate);
            case "Fn::Or" -> ((List<?>) arg).stream().anyMatch(this::evaluate);
            case "Condition" -> condition(String.valueOf(arg));
            default -> throw new AssertionError("not a condition function: " + fn);
        };
    }

    private Object sub(Object arg) {
        String text;
        Map<String, Object> variables = new LinkedHashMap<>();
        if (arg instanceof List<?> list) {
            text = String.valueOf(list.get(0));
            CfnTemplate.asMap(list.get(1)).forEach((k, v) -> variables.put(k, resolve(v)));
        } else {
            text = String.valueOf(arg);
        }
        Matcher m = SUB_VARIABLE.matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String name = m.group(1);
            Object value;
            if (variables.containsKey(name)) {
                value = variables.get(name);
            } else if (name.contains(".") && !name.startsWith("AWS::")) {
                value = getAtt(name.substring(0, name.indexOf('.')), name.substring(name.indexOf('.') + 1));
            } else {
                value = ref(name);
            }
            m.appendReplacement(out, Matcher.quoteReplacement(String.valueOf(value)));
        }
        m.appendTail(out);
        return out.toString();
    }

    private Object ref(String name) {
        switch (name) {
            case "AWS::Region":
                return region;
            case "AWS::AccountId":
                return account;
            case "AWS::Partition":
                return "aws";
            case "AWS::StackName":
                return stackName;
            case "AWS::NoValue":
                return NO_VALUE;
            default:
                break;
        }
        if (parameters.containsKey(name)) {
            return parameters.get(name);
        }
        if (physicalIds.containsKey(name)) {
            return physicalIds.get(name);
        }
        Map<String, Object> resource = template.resource(name);
        return switch (String.valueOf(resource.get("Type"))) {
            case "AWS::SQS::Queue" -> "https://sqs." + region + ".amazonaws.com/" + account + "/" + name(name, "QueueName");
            case "AWS::ECS::Cluster" -> name(name, "ClusterName");
            case "AWS::ECS::Service" -> arn("ecs", "service/" + clusterOf(name) + "/" + name(name, "ServiceName"));
            case "AWS::SSM::Parameter" -> name(name, "Name");
            case "AWS::Logs::LogGroup" -> name(name, "LogGroupName");
            default -> throw new AssertionError(stackName + ": Ref " + name + " is not modelled");
        };
    }

    private Object getAtt(String logicalId, String attribute) {
        String type = String.valueOf(template.resource(logicalId).get("Type"));
        return switch (type + "." + attribute) {
            case "AWS::SQS::Queue.Arn" -> arn("sqs", name(logicalId, "QueueName"));
            case "AWS::SQS::Queue.QueueName" -> name(logicalId, "QueueName");
            case "AWS::DynamoDB::Table.Arn" -> arn("dynamodb", "table/" + ref(logicalId));
            case "AWS::ECS::Service.Name" -> name(logicalId, "ServiceName");
            case "AWS::Logs::LogGroup.Arn" -> arn("logs", "log-group:" + name(logicalId, "LogGroupName") + ":*");
            default -> throw new AssertionError(stackName + ": GetAtt " + logicalId + "." + attribute + " is not modelled");
        };
    }

    private String name(String logicalId, String property) {
        Object value = property(logicalId, property);
        if (value == null) {
            throw new AssertionError(stackName + ": " + logicalId + " has no " + property + "; pass its physical id");
        }
        return String.valueOf(value);
    }

    private String clusterOf(String serviceId) {
        String cluster = String.valueOf(property(serviceId, "Cluster"));
        return cluster.substring(cluster.lastIndexOf('/') + 1);
    }

    private String arn(String service, String resource) {
        return "arn:aws:" + service + ":" + region + ":" + account + ":" + resource;
    }
}
