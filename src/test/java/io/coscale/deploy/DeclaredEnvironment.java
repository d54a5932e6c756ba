package io.coscale.deploy;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The environment a template's task definition gives its first container: every {@code Environment} entry and every
 * {@code Secrets} entry, as ECS would inject them, with the template's references resolved from values the caller
 * supplies (a parameter, a resource's {@code Ref}, a condition). A reference without a value fails: the rehearsal
 * must say what each one stands for, never guess.
 */
final class DeclaredEnvironment {

    private static final Pattern SUB = Pattern.compile("\\$\\{([^}]+)}");

    /**
     * What the template's references stand for in the rehearsal.
     *
     * @param refs       the value of {@code !Ref X} and of {@code ${X}} in {@code !Sub}, by X
     * @param conditions each condition's outcome, by name
     * @param secrets    a secret's value by its resolved {@code ValueFrom}
     */
    record Values(Map<String, String> refs, Map<String, Boolean> conditions, Map<String, String> secrets) {
    }

    private DeclaredEnvironment() {
    }

    /**
     * The container's environment and secrets, leaving out the names in {@code omitted} unresolved. A parameter the
     * rehearsal gives no value takes its {@code Default}, as a stack deployed without it would.
     */
    static Map<String, String> of(CfnTemplate template, String taskDefinition, Values given, Set<String> omitted) {
        Map<String, String> refs = new LinkedHashMap<>();
        for (String parameter : template.parameterNames()) {
            Object fallback = template.parameter(parameter).get("Default");
            if (fallback != null) {
                refs.put(parameter, fallback.toString());
            }
        }
        refs.putAll(given.refs());
        Values values = new Values(refs, given.conditions(), given.secrets());
        Map<String, Object> container = CfnTemplate.asMap(CfnTemplate.list(
                template.properties(taskDefinition).get("ContainerDefinitions")).get(0));
        Map<String, String> env = new LinkedHashMap<>();
        for (Object entry : CfnTemplate.list(container.get("Environment"))) {
            Object resolved = chosen(entry, values);
            if (resolved != null && !omitted.contains(name(resolved))) {
                env.put(name(resolved), resolve(CfnTemplate.asMap(resolved).get("Value"), values));
            }
        }
        for (Object entry : CfnTemplate.list(container.get("Secrets"))) {
            Object resolved = chosen(entry, values);
            if (resolved != null && !omitted.contains(name(resolved))) {
                String from = resolve(CfnTemplate.asMap(resolved).get("ValueFrom"), values);
                String secret = values.secrets().get(from);
                if (secret == null) {
                    throw new AssertionError("the rehearsal has no secret for ValueFrom " + from);
                }
                env.put(name(resolved), secret);
            }
        }
        return env;
    }

    private static String name(Object entry) {
        return (String) CfnTemplate.asMap(entry).get("Name");
    }

    /** An entry, or the branch an {@code !If} picks; null for {@code AWS::NoValue}. */
    private static Object chosen(Object value, Values values) {
        if (value instanceof Map<?, ?> map && map.containsKey("Fn::If")) {
            List<Object> branches = CfnTemplate.list(map.get("Fn::If"));
            Boolean outcome = values.conditions().get((String) branches.get(0));
            if (outcome == null) {
                throw new AssertionError("the rehearsal has no outcome for condition " + branches.get(0));
            }
            return chosen(branches.get(outcome ? 1 : 2), values);
        }
        if (value instanceof Map<?, ?> map && "AWS::NoValue".equals(map.get("Ref"))) {
            return null;
        }
        return value;
    }

    private static String resolve(Object value, Values values) {
        Object chosen = chosen(value, values);
        if (chosen instanceof String || chosen instanceof Number || chosen instanceof Boolean) {
            return chosen.toString();
        }
        Map<String, Object> function = CfnTemplate.asMap(chosen);
        if (function.containsKey("Ref")) {
            return ref((String) function.get("Ref"), values);
        }
        if (function.containsKey("Fn::Sub") && function.get("Fn::Sub") instanceof String text) {
            Matcher m = SUB.matcher(text);
            StringBuilder out = new StringBuilder();
            while (m.find()) {
                m.appendReplacement(out, Matcher.quoteReplacement(ref(m.group(1), values)));
            }
            return m.appendTail(out).toString();
        }
        throw new AssertionError("the rehearsal cannot resolve " + chosen);
    }

    private static String ref(String name, Values values) {
        String value = values.refs().get(name);
        if (value == null) {
            throw new AssertionError("the rehearsal has no value for !Ref " + name);
        }
        return value;
    }
}
