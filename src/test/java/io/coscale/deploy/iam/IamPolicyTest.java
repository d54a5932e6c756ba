package io.coscale.deploy.iam;

import static io.coscale.deploy.iam.IamPolicy.Decision.ALLOWED;
import static io.coscale.deploy.iam.IamPolicy.Decision.EXPLICIT_DENY;
import static io.coscale.deploy.iam.IamPolicy.Decision.IMPLICIT_DENY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.coscale.deploy.iam.IamPolicy.Condition;
import io.coscale.deploy.iam.IamPolicy.Decision;
import io.coscale.deploy.iam.IamPolicy.Request;
import io.coscale.deploy.iam.IamPolicy.Statement;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The evaluator's rules, each on the smallest policy that shows it. */
class IamPolicyTest {

    static final String TASKS = "arn:aws:ecs:eu-west-1:123456789012:task/*";
    static final String CLUSTER = "arn:aws:ecs:eu-west-1:123456789012:cluster/gpu-workers";
    static final String TASK = "arn:aws:ecs:eu-west-1:123456789012:task/gpu-workers/0123abcd";

    static Stream<Arguments> rules() {
        Statement sendToJobs = Statement.allow("Send", List.of("sqs:SendMessage"),
                List.of("arn:aws:sqs:eu-west-1:123456789012:*-jobs"));
        Statement readAnything = Statement.allow("Read", List.of("sqs:Get*"), List.of("*"));
        Statement denyDlq = Statement.deny("NoDlq", List.of("sqs:*"), List.of("arn:aws:sqs:*:*:*-dlq"));
        Statement protect = Statement.allow("Protect", List.of("ecs:UpdateTaskProtection"), List.of(TASKS),
                new Condition("ArnEquals", "ecs:cluster", List.of(CLUSTER)));
        Statement listTasks = Statement.allow("List", List.of("ecs:ListTasks"), List.of("*"),
                new Condition("ArnLike", "ecs:cluster", List.of("arn:aws:ecs:*:123456789012:cluster/*-workers")));
        Statement exitTag = Statement.allow("Tag", List.of("ecs:TagResource"), List.of(TASKS),
                new Condition("ForAllValues:StringEquals", "aws:TagKeys", List.of("coscale:exit")));
        Statement anyIdem = Statement.allow("Idem", List.of("dynamodb:DeleteItem"), List.of("*"),
                new Condition("ForAnyValue:StringLike", "dynamodb:LeadingKeys", List.of("idem#*")));
        Statement allButEcs = new Statement("NotEcs", true, List.of("ecs:*"), true, List.of("*"), false, List.of());
        Statement notDlq = new Statement("NotDlq", true, List.of("sqs:GetQueueAttributes"), false,
                List.of("arn:aws:sqs:*:*:*-dlq"), true, List.of());
        Map<String, List<String>> none = Map.of();
        Map<String, List<String>> inCluster = Map.of("ecs:cluster", List.of(CLUSTER));
        Map<String, List<String>> elsewhere = Map.of("ecs:cluster",
                List.of("arn:aws:ecs:eu-west-1:123456789012:cluster/payments"));
        return Stream.of(
                row("no statement: denied by default", List.of(), "sqs:SendMessage", "arn:aws:sqs:eu-west-1:123456789012:gpu-jobs", none, IMPLICIT_DENY),
                row("resource wildcard inside the last component", List.of(sendToJobs), "sqs:SendMessage", "arn:aws:sqs:eu-west-1:123456789012:gpu-jobs", none, ALLOWED),
                row("resource wildcard does not match another name", List.of(sendToJobs), "sqs:SendMessage", "arn:aws:sqs:eu-west-1:123456789012:gpu-dlq", none, IMPLICIT_DENY),
                row("another account is another resource", List.of(sendToJobs), "sqs:SendMessage", "arn:aws:sqs:eu-west-1:999999999999:gpu-jobs", none, IMPLICIT_DENY),
                row("action names ignore case", List.of(sendToJobs), "SQS:sendmessage", "arn:aws:sqs:eu-west-1:123456789012:gpu-jobs", none, ALLOWED),
                row("action wildcard", List.of(readAnything), "sqs:GetQueueAttributes", "arn:aws:sqs:eu-west-1:123456789012:gpu-dlq", none, ALLOWED),
                row("action wildcard does not cover other verbs", List.of(readAnything), "sqs:DeleteMessage", "arn:aws:sqs:eu-west-1:123456789012:gpu-dlq", none, IMPLICIT_DENY),
                row("an explicit Deny wins over an Allow", List.of(readAnything, denyDlq), "sqs:GetQueueAttributes", "arn:aws:sqs:eu-west-1:123456789012:gpu-dlq", none, EXPLICIT_DENY),
                row("a Deny that does not match changes nothing", List.of(readAnything, denyDlq), "sqs:GetQueueAttributes", "arn:aws:sqs:eu-west-1:123456789012:gpu-jobs", none, ALLOWED),
                row("ArnEquals holds for the cluster named", List.of(protect), "ecs:UpdateTaskProtection", TASK, inCluster, ALLOWED),
                row("ArnEquals fails for another cluster", List.of(protect), "ecs:UpdateTaskProtection", TASK, elsewhere, IMPLICIT_DENY),
                row("a condition on a key the request lacks fails", List.of(protect), "ecs:UpdateTaskProtection", TASK, none, IMPLICIT_DENY),
                row("ArnLike with wildcards", List.of(listTasks), "ecs:ListTasks", "*", inCluster, ALLOWED),
                row("ArnLike fails for a name outside the pattern", List.of(listTasks), "ecs:ListTasks", "*", elsewhere, IMPLICIT_DENY),
                row("a request on no resource needs Resource *", List.of(protect), "ecs:UpdateTaskProtection", "*", inCluster, IMPLICIT_DENY),
                row("ForAllValues: every tag key allowed", List.of(exitTag), "ecs:TagResource", TASK, Map.of("aws:TagKeys", List.of("coscale:exit")), ALLOWED),
                row("ForAllValues: one tag key outside the set", List.of(exitTag), "ecs:TagResource", TASK, Map.of("aws:TagKeys", List.of("coscale:exit", "owner")), IMPLICIT_DENY),
                row("ForAllValues holds for a request without the key", List.of(exitTag), "ecs:TagResource", TASK, none, ALLOWED),
                row("ForAnyValue: one matching value", List.of(anyIdem), "dynamodb:DeleteItem", "arn:aws:dynamodb:eu-west-1:123456789012:table/t", Map.of("dynamodb:LeadingKeys", List.of("idem#gpu#k")), ALLOWED),
                row("ForAnyValue: no value matches", List.of(anyIdem), "dynamodb:DeleteItem", "arn:aws:dynamodb:eu-west-1:123456789012:table/t", Map.of("dynamodb:LeadingKeys", List.of("coscale-leader")), IMPLICIT_DENY),
                row("ForAnyValue fails for a request without the key", List.of(anyIdem), "dynamodb:DeleteItem", "arn:aws:dynamodb:eu-west-1:123456789012:table/t", none, IMPLICIT_DENY),
                row("NotAction allows every other action", List.of(allButEcs), "sqs:ReceiveMessage", "arn:aws:sqs:eu-west-1:123456789012:gpu-jobs", none, ALLOWED),
                row("NotAction does not allow the actions it names", List.of(allButEcs), "ecs:UpdateService", "arn:aws:ecs:eu-west-1:123456789012:service/a/b", none, IMPLICIT_DENY),
                row("NotResource allows every other resource", List.of(notDlq), "sqs:GetQueueAttributes", "arn:aws:sqs:eu-west-1:123456789012:gpu-jobs", none, ALLOWED),
                row("NotResource does not allow the resources it names", List.of(notDlq), "sqs:GetQueueAttributes", "arn:aws:sqs:eu-west-1:123456789012:gpu-dlq", none, IMPLICIT_DENY));
    }

    private static Arguments row(String name, List<Statement> statements, String action, String resource,
            Map<String, List<String>> context, Decision expected) {
        return Arguments.of(name, statements, new Request(action, resource, context), expected);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rules")
    void evaluatesAsIamDoes(String name, List<Statement> statements, Request request, Decision expected) {
        assertThat(IamPolicy.evaluate(statements, request)).isEqualTo(expected);
    }

    @Test
    void anOperatorItDoesNotModelIsRefusedRatherThanGuessed() {
        assertThatThrownBy(() -> new Condition("NumericLessThan", "aws:MultiFactorAuthAge", List.of("3600")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("NumericLessThan");
    }
}
