package io.coscale.deploy;

import static io.coscale.deploy.iam.IamPolicy.Decision.ALLOWED;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.coscale.deploy.iam.IamPolicy;
import io.coscale.deploy.iam.IamPolicy.Request;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * coscale's task role for 1,000 pools created through the API under the naming convention docs/DEPLOY.md gives
 * ("Pools as data"): the policy names prefixes, not pools, so it is as long for 1,000 pools as for one and stays
 * within IAM's 10,240 characters, and it allows every call coscale makes for a pool under the prefixes and none for
 * a pool outside them.
 */
class ThousandPoolsPolicyTest {

    static final String ECS = "arn:aws:ecs:eu-west-1:123456789012:";
    static final String SQS = "arn:aws:sqs:eu-west-1:123456789012:";
    static final String TABLE = "arn:aws:dynamodb:eu-west-1:123456789012:table/" + Walkthrough.LEASE_TABLE;
    /** IAM's limit on a role's inline policies, in characters (whitespace not counted). */
    static final int INLINE_POLICY_LIMIT = 10_240;

    static List<IamPolicy.Statement> policy() throws IOException {
        CfnTemplate template = CfnTemplate.load(Walkthrough.COSCALE_TEMPLATE);
        Map<String, String> parameters = new HashMap<>();
        for (String name : template.parameterNames()) {
            if (template.parameter(name).get("Default") == null) {
                parameters.put(name, "arn:aws:x:eu-west-1:123456789012:" + name); // the rest of the stack, not the policy's
            }
        }
        parameters.putAll(Map.of("WorkerServiceArns", ECS + "service/pools/coscale-pool-*",
                "WorkerClusterArns", ECS + "cluster/pools", "WorkerQueueArns", SQS + "coscale-pool-*",
                "WorkerDeadLetterQueueArns", SQS + "coscale-pool-*", "PoolQueuePrefix", "coscale-pool-",
                "PoolServicePrefix", "coscale-pool-", "PoolClusterName", "pools"));
        return new CfnStack(template, "coscale", "eu-west-1", "123456789012", parameters,
                Map.of("LeaseTable", Walkthrough.LEASE_TABLE)).statements("TaskRole");
    }

    @Test
    void theRoleOfAThousandPoolsFitsIamsLimitAndReachesEveryPoolUnderThePrefixesAndNoneOutside() throws IOException {
        List<IamPolicy.Statement> policy = policy();
        int length = compactLength(policy);
        System.out.printf(Locale.ROOT, "coscale task role for any number of pools under the prefixes: %d characters of %d%n",
                length, INLINE_POLICY_LIMIT);
        assertThat(length).isLessThanOrEqualTo(INLINE_POLICY_LIMIT);

        List<String> refused = new ArrayList<>();
        for (int i = 0; i < 1_000; i++) {
            String pool = String.format(Locale.ROOT, "coscale-pool-%04d", i);
            for (Request call : callsFor("pools", pool)) {
                if (IamPolicy.evaluate(policy, call) != ALLOWED) {
                    refused.add(call.toString());
                }
            }
        }
        assertThat(refused).as("calls for pools under the prefixes that IAM would refuse").isEmpty();

        List<Request> billing = callsFor("pools", "billing");
        List<Request> otherCluster = callsFor("payments", "coscale-pool-0001");
        for (Request outside : List.of(billing.get(0), billing.get(1), billing.get(2), billing.get(3), otherCluster.get(0),
                otherCluster.get(4))) {
            assertThat(IamPolicy.evaluate(policy, outside)).as(outside.toString()).isNotEqualTo(ALLOWED);
        }
    }

    /** What coscale calls for one pool: scale and read its service, feed and read its queue and DLQ, keep its item. */
    static List<Request> callsFor(String cluster, String pool) {
        Map<String, List<String>> inCluster = Map.of("ecs:cluster", List.of(ECS + "cluster/" + cluster));
        return List.of(new Request("ecs:UpdateService", ECS + "service/" + cluster + "/" + pool, inCluster),
                new Request("ecs:DescribeServices", ECS + "service/" + cluster + "/" + pool, inCluster),
                new Request("sqs:SendMessage", SQS + pool, Map.of()),
                new Request("sqs:GetQueueAttributes", SQS + pool + "-dlq", Map.of()),
                new Request("ecs:UpdateTaskProtection", ECS + "task/" + cluster + "/0a1b", inCluster),
                new Request("dynamodb:UpdateItem", TABLE, Map.of("dynamodb:LeadingKeys", List.of("pool#" + pool))));
    }

    /** The policy as IAM counts it: its JSON without whitespace. */
    private static int compactLength(List<IamPolicy.Statement> policy) throws IOException {
        List<Map<String, Object>> statements = new ArrayList<>();
        for (IamPolicy.Statement s : policy) {
            Map<String, Object> json = new LinkedHashMap<>();
            json.put("Sid", s.sid());
            json.put("Effect", "Allow");
            json.put("Action", s.actions());
            json.put("Resource", s.resources());
            Map<String, Map<String, List<String>>> conditions = new LinkedHashMap<>();
            s.conditions().forEach(c -> conditions.computeIfAbsent(c.operator(), o -> new LinkedHashMap<>()).put(c.key(), c.values()));
            if (!conditions.isEmpty()) {
                json.put("Condition", conditions);
            }
            statements.add(json);
        }
        return new ObjectMapper().writeValueAsString(Map.of("Version", "2012-10-17", "Statement", statements)).length();
    }
}
