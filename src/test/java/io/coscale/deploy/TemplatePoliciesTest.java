package io.coscale.deploy;

import static io.coscale.deploy.iam.IamPolicy.Decision.ALLOWED;
import static io.coscale.deploy.iam.IamPolicy.Decision.IMPLICIT_DENY;
import static org.assertj.core.api.Assertions.assertThat;

import io.coscale.deploy.iam.IamPolicy;
import io.coscale.deploy.iam.IamPolicy.Decision;
import io.coscale.deploy.iam.IamPolicy.Request;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The task roles of both templates, instantiated as docs/DEPLOY.md's walk-through deploys them (pool {@code gpu} in
 * eu-west-1), each statement with a call it allows and one it denies: what each statement is for, and what it keeps
 * out. Every statement of both roles has its denied row (checked below), so a new statement needs one. The worker
 * role of the same pool deployed with {@code Fifo=true} ({@code fifo-worker}) works its {@code .fifo} queue alone.
 */
class TemplatePoliciesTest {

    static final String ECS = "arn:aws:ecs:eu-west-1:123456789012:";
    static final String SQS = "arn:aws:sqs:eu-west-1:123456789012:";
    static final String CLUSTER = ECS + "cluster/gpu-workers";
    static final String OTHER_CLUSTER = ECS + "cluster/payments";
    static final String TABLE = "arn:aws:dynamodb:eu-west-1:123456789012:table/" + Walkthrough.LEASE_TABLE;

    static List<IamPolicy.Statement> coscale;
    static List<IamPolicy.Statement> worker;
    static List<IamPolicy.Statement> fifoWorker;

    @BeforeAll
    static void instantiate() throws IOException {
        Walkthrough walkthrough = Walkthrough.read();
        coscale = walkthrough.coscale.statements("TaskRole");
        worker = walkthrough.pool.statements("WorkerTaskRole");
        fifoWorker = walkthrough.anotherPool("gpu", Map.of("Fifo", "true")).statements("WorkerTaskRole");
    }

    /** role, statement it exercises, action, resource, context, decision. */
    static Stream<Arguments> rows() {
        return Stream.of(
                row("coscale", "ScaleManagedServices", "ecs:UpdateService", ECS + "service/gpu-workers/gpu-workers", cluster(CLUSTER), ALLOWED),
                row("coscale", "ScaleManagedServices", "ecs:UpdateService", ECS + "service/gpu-workers/billing-workers", cluster(CLUSTER), IMPLICIT_DENY),
                row("coscale", "ListTasksOfManagedClusters", "ecs:ListTasks", "*", cluster(CLUSTER), ALLOWED),
                row("coscale", "ListTasksOfManagedClusters", "ecs:ListTasks", "*", cluster(OTHER_CLUSTER), IMPLICIT_DENY),
                row("coscale", "DescribeAndProtectWorkerTasks", "ecs:UpdateTaskProtection", ECS + "task/gpu-workers/0a1b", cluster(CLUSTER), ALLOWED),
                row("coscale", "DescribeAndProtectWorkerTasks", "ecs:UpdateTaskProtection", ECS + "task/payments/0a1b", cluster(OTHER_CLUSTER), IMPLICIT_DENY),
                row("coscale", "RecordExitsOnWorkerTasks", "ecs:TagResource", ECS + "task/gpu-workers/0a1b", tag(CLUSTER, "coscale:exit"), ALLOWED),
                row("coscale", "RecordExitsOnWorkerTasks", "ecs:TagResource", ECS + "task/payments/0a1b", tag(OTHER_CLUSTER, "coscale:exit"), IMPLICIT_DENY),
                row("coscale", "RecordExitsOnWorkerTasks", "ecs:TagResource", ECS + "task/gpu-workers/0a1b", tag(CLUSTER, "owner"), IMPLICIT_DENY),
                row("coscale", "FeedAndObservePoolQueues", "sqs:SendMessage", SQS + "gpu-jobs", Map.of(), ALLOWED),
                row("coscale", "FeedAndObservePoolQueues", "sqs:ReceiveMessage", SQS + "gpu-jobs", Map.of(), IMPLICIT_DENY),
                row("coscale", "ObserveDeadLetterQueues", "sqs:GetQueueAttributes", SQS + "gpu-dlq", Map.of(), ALLOWED),
                row("coscale", "ObserveDeadLetterQueues", "sqs:SendMessage", SQS + "gpu-dlq", Map.of(), IMPLICIT_DENY),
                row("coscale", "HoldTheLeaderLease", "dynamodb:PutItem", TABLE, keys("coscale-leader"), ALLOWED),
                row("coscale", "HoldTheLeaderLease", "dynamodb:PutItem", "arn:aws:dynamodb:eu-west-1:123456789012:table/orders", keys("coscale-leader"), IMPLICIT_DENY),
                row("coscale", "KeepIdempotencyKeys", "dynamodb:DeleteItem", TABLE, keys("idem#gpu#order-17"), ALLOWED),
                row("coscale", "KeepIdempotencyKeys", "dynamodb:DeleteItem", TABLE, keys("coscale-leader"), IMPLICIT_DENY),
                row("coscale", "ReadTokens", "secretsmanager:GetSecretValue", Walkthrough.STAND_INS.get("SECRET"), Map.of(), ALLOWED),
                row("coscale", "ReadTokens", "secretsmanager:GetSecretValue", "arn:aws:secretsmanager:eu-west-1:123456789012:secret:payments/db-Xy12ab", Map.of(), IMPLICIT_DENY),
                row("coscale", "KeepPoolDefinitions", "dynamodb:UpdateItem", TABLE, keys("pool#gpu"), ALLOWED),
                row("coscale", "KeepPoolDefinitions", "dynamodb:UpdateItem", TABLE, keys("coscale-leader"), IMPLICIT_DENY),
                row("coscale", "ReadEveryPool", "dynamodb:Scan", TABLE, Map.of(), ALLOWED),
                row("coscale", "ReadEveryPool", "dynamodb:Scan", "arn:aws:dynamodb:eu-west-1:123456789012:table/orders", Map.of(), IMPLICIT_DENY),
                row("worker", "WorkOwnQueue", "sqs:GetQueueAttributes", SQS + "gpu-jobs", Map.of(), ALLOWED),
                row("worker", "WorkOwnQueue", "sqs:ReceiveMessage", SQS + "billing-jobs", Map.of(), IMPLICIT_DENY),
                row("worker", "WorkOwnQueue", "ecs:UpdateTaskProtection", ECS + "task/gpu-workers/0a1b", cluster(CLUSTER), IMPLICIT_DENY),
                row("fifo-worker", "WorkOwnQueue", "sqs:ReceiveMessage", SQS + "gpu-jobs.fifo", Map.of(), ALLOWED),
                row("fifo-worker", "WorkOwnQueue", "sqs:DeleteMessage", SQS + "gpu-jobs.fifo", Map.of(), ALLOWED),
                row("fifo-worker", "WorkOwnQueue", "sqs:ReceiveMessage", SQS + "gpu-jobs", Map.of(), IMPLICIT_DENY),
                row("fifo-worker", "WorkOwnQueue", "sqs:ReceiveMessage", SQS + "gpu-dlq.fifo", Map.of(), IMPLICIT_DENY));
    }

    @ParameterizedTest(name = "{0} {1}: {2} on {3} -> {5}")
    @MethodSource("rows")
    void eachStatementAllowsItsCallAndNothingNearIt(String role, String statement, String action, String resource,
            Map<String, List<String>> context, Decision expected) {
        List<IamPolicy.Statement> policy = switch (role) {
            case "coscale" -> coscale;
            case "worker" -> worker;
            default -> fifoWorker;
        };
        assertThat(policy).extracting(IamPolicy.Statement::sid).contains(statement);
        assertThat(IamPolicy.evaluate(policy, new Request(action, resource, context))).isEqualTo(expected);
    }

    @Test
    void everyStatementOfBothRolesHasADeniedRow() {
        Set<String> denied = rows().map(Arguments::get).filter(a -> a[5] != ALLOWED)
                .map(a -> a[0] + " " + a[1]).collect(Collectors.toCollection(TreeSet::new));
        List<String> statements = new ArrayList<>();
        coscale.forEach(s -> statements.add("coscale " + s.sid()));
        worker.forEach(s -> statements.add("worker " + s.sid()));
        fifoWorker.forEach(s -> statements.add("fifo-worker " + s.sid()));
        assertThat(denied).containsAll(statements);
    }

    private static Arguments row(String role, String statement, String action, String resource,
            Map<String, List<String>> context, Decision expected) {
        return Arguments.of(role, statement, action, resource, context, expected);
    }

    private static Map<String, List<String>> cluster(String arn) {
        return Map.of("ecs:cluster", List.of(arn));
    }

    private static Map<String, List<String>> tag(String clusterArn, String key) {
        return Map.of("ecs:cluster", List.of(clusterArn), "aws:TagKeys", List.of(key));
    }

    private static Map<String, List<String>> keys(String key) {
        return Map.of("dynamodb:LeadingKeys", List.of(key));
    }
}
