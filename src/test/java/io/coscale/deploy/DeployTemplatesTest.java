package io.coscale.deploy;

import static io.coscale.deploy.CfnTemplate.asMap;
import static io.coscale.deploy.CfnTemplate.list;
import static io.coscale.deploy.CfnTemplate.map;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The IAM and ECS properties of deploy/cloudformation that the linter cannot see: who may do what to
 * which resource, and the service settings coscale depends on (docs/DEPLOY.md explains each).
 */
class DeployTemplatesTest {

    private static final Path DIR = Path.of("deploy", "cloudformation");
    private static final Map<String, Object> REF_SERVICES = Map.of("Ref", "WorkerServiceArns");
    private static final Map<String, Object> REF_CLUSTERS = Map.of("Ref", "WorkerClusterArns");
    private static final Map<String, Object> REF_QUEUES = Map.of("Ref", "WorkerQueueArns");

    private static CfnTemplate coscale;
    private static CfnTemplate pool;

    @BeforeAll
    static void load() throws IOException {
        coscale = CfnTemplate.load(DIR.resolve("coscale.yaml"));
        pool = CfnTemplate.load(DIR.resolve("worker-pool.yaml"));
    }

    @Test
    void noActionIsAWildcardAndNoStatementUsesNotActionOrNotResource() {
        for (CfnTemplate t : List.of(coscale, pool)) {
            for (String role : t.resourcesOfType("AWS::IAM::Role")) {
                for (Map<String, Object> s : t.statements(role)) {
                    assertEquals("Allow", s.get("Effect"), role + " " + s);
                    assertFalse(s.containsKey("NotAction") || s.containsKey("NotResource"), role + " " + s);
                    for (String action : actions(s)) {
                        assertFalse(action.contains("*"), role + ": wildcard action " + action);
                    }
                }
            }
        }
    }

    @Test
    void ecsAndSqsStatementsNeverUseStarExceptListTasksConfinedToTheWorkerClusters() {
        for (CfnTemplate t : List.of(coscale, pool)) {
            for (String role : t.resourcesOfType("AWS::IAM::Role")) {
                for (Map<String, Object> s : t.statements(role)) {
                    boolean ecsOrSqs = actions(s).stream().anyMatch(a -> a.startsWith("ecs:") || a.startsWith("sqs:"));
                    if (ecsOrSqs && list(s.get("Resource")).contains("*")) {
                        // ListTasks authorizes against container instances, which Fargate tasks lack.
                        assertEquals(Set.of("ecs:ListTasks"), actions(s), role + " " + s);
                        assertEquals(REF_CLUSTERS, clusterCondition(s), role + " " + s);
                    }
                }
            }
        }
    }

    @Test
    void coscaleScalesAndDescribesOnlyTheListedWorkerServices() {
        List<Map<String, Object>> scaling = statementsWith(coscale, "TaskRole", "ecs:UpdateService", "ecs:DescribeServices");
        assertFalse(scaling.isEmpty());
        for (Map<String, Object> s : scaling) {
            assertEquals(List.of(REF_SERVICES), list(s.get("Resource")), s.toString());
        }
    }

    @Test
    void coscaleListsDescribesAndProtectsTasksOnlyInTheWorkerClusters() {
        List<Map<String, Object>> taskStatements = statementsWith(coscale, "TaskRole",
                "ecs:ListTasks", "ecs:DescribeTasks", "ecs:UpdateTaskProtection", "ecs:GetTaskProtection");
        Set<String> granted = new HashSet<>();
        for (Map<String, Object> s : taskStatements) {
            assertEquals(REF_CLUSTERS, clusterCondition(s), s.toString());
            granted.addAll(actions(s));
        }
        assertTrue(granted.containsAll(Set.of("ecs:ListTasks", "ecs:DescribeTasks",
                "ecs:UpdateTaskProtection", "ecs:GetTaskProtection")), granted.toString());
    }

    @Test
    @SuppressWarnings("unchecked")
    void coscaleTagsTasksOnlyWithItsExitRecord() {
        List<Map<String, Object>> tagging = statementsWith(coscale, "TaskRole", "ecs:TagResource");
        assertEquals(1, tagging.size(), tagging.toString());
        Map<String, Object> condition = (Map<String, Object>) tagging.get(0).get("Condition");
        Map<String, Object> keys = (Map<String, Object>) condition.get("ForAllValues:StringEquals");
        assertEquals(List.of("coscale:exit"), list(keys.get("aws:TagKeys")));
        assertEquals(Set.of("ecs:TagResource"), actions(tagging.get(0)));
    }

    @Test
    void coscaleHasExactlyTheEcsAndSqsActionsItUses() {
        Set<String> all = coscale.statements("TaskRole").stream().flatMap(s -> actions(s).stream())
                .collect(Collectors.toSet());
        assertEquals(Set.of("ecs:UpdateService", "ecs:DescribeServices", "ecs:ListTasks", "ecs:DescribeTasks",
                "ecs:UpdateTaskProtection", "ecs:GetTaskProtection", "ecs:TagResource",
                "sqs:SendMessage", "sqs:GetQueueAttributes", "sqs:GetQueueUrl"), all);
    }

    @Test
    void coscaleSqsActionsAreLimitedToTheListedQueues() {
        List<Map<String, Object>> sqs = statementsWith(coscale, "TaskRole",
                "sqs:SendMessage", "sqs:GetQueueAttributes", "sqs:GetQueueUrl");
        assertFalse(sqs.isEmpty());
        for (Map<String, Object> s : sqs) {
            assertTrue(actions(s).stream().allMatch(a -> a.startsWith("sqs:")), s.toString());
            assertEquals(List.of(REF_QUEUES), list(s.get("Resource")), s.toString());
        }
    }

    @Test
    void coscaleRunsWithTheCheckedTaskRole() {
        assertEquals(Map.of("Fn::GetAtt", List.of("TaskRole", "Arn")), coscale.properties("TaskDefinition").get("TaskRoleArn"));
    }

    @Test
    void workerRoleMayOnlyWorkItsOwnQueueAndHasNoEcsAction() {
        Set<String> allowed = Set.of("sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility",
                "sqs:GetQueueAttributes");
        Set<String> granted = new HashSet<>();
        for (Map<String, Object> s : pool.statements("WorkerTaskRole")) {
            assertTrue(allowed.containsAll(actions(s)), "beyond receive/delete/visibility: " + s);
            assertEquals(List.of(Map.of("Fn::GetAtt", List.of("Queue", "Arn"))), list(s.get("Resource")), s.toString());
            granted.addAll(actions(s));
        }
        assertTrue(granted.containsAll(Set.of("sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility")),
                granted.toString());
        assertTrue(granted.stream().noneMatch(a -> a.startsWith("ecs:")), granted.toString());
        assertEquals(Map.of("Fn::GetAtt", List.of("WorkerTaskRole", "Arn")), pool.properties("TaskDefinition").get("TaskRoleArn"));
    }

    @Test
    void workerServiceHasNoDesiredCountSoStackUpdatesNeverResetCoscalesCount() {
        List<String> services = pool.resourcesOfType("AWS::ECS::Service");
        assertEquals(List.of("Service"), services);
        assertFalse(pool.properties("Service").containsKey("DesiredCount"));
    }

    @Test
    void everyContainerHasAStopTimeoutWithinTheFargateLimit() {
        for (CfnTemplate t : List.of(coscale, pool)) {
            for (String td : t.resourcesOfType("AWS::ECS::TaskDefinition")) {
                for (Object c : list(t.properties(td).get("ContainerDefinitions"))) {
                    Object stop = asMap(c).get("StopTimeout");
                    assertTrue(stop != null, td + " container without StopTimeout");
                    if (stop instanceof Integer seconds) {
                        assertTrue(seconds >= 2 && seconds <= 120, td + " StopTimeout " + seconds);
                    }
                }
            }
        }
    }

    @Test
    void workerStopTimeoutParameterIsBoundedByFargatesMaximum() {
        assertEquals(120, pool.parameter("StopTimeout").get("MaxValue"));
    }

    /** Readiness, which one failing pool cannot take down (ReadinessTest): ECS replaces a task this check fails. */
    @Test
    void loadBalancerSendsTrafficOnlyToAReadyCoscale() {
        assertEquals("/q/health/ready", coscale.properties("TargetGroup").get("HealthCheckPath"));
        assertEquals(8080, coscale.properties("TargetGroup").get("Port"));
    }

    @Test
    void coscaleIsASingleWriterEvenDuringDeployments() {
        Map<String, Object> service = coscale.properties("Service");
        assertEquals(1, service.get("DesiredCount"));
        assertEquals(100, map(service, "DeploymentConfiguration").get("MaximumPercent"));
    }

    @Test
    void poolSettingsAndTokensReachCoscaleAsEnvironment() {
        Map<String, Object> container = asMap(list(coscale.properties("TaskDefinition").get("ContainerDefinitions")).get(0));
        Set<String> names = list(container.get("Environment")).stream()
                .map(e -> asMap(e).get("Name"))
                .map(n -> n instanceof String s ? s : String.valueOf(asMap(n).get("Fn::Sub")))
                .collect(Collectors.toSet());
        for (String key : List.of("CLUSTER", "SERVICE", "QUEUE_URL", "MIN_TASKS", "MAX_TASKS", "MODE",
                "MESSAGES_PER_TASK", "PROTECTION_MINUTES", "SCALE_IN_IDLE")) {
            assertTrue(names.contains("COSCALE_POOLS_${PoolName}_" + key), key + " missing from " + names);
        }
        assertTrue(names.containsAll(Set.of("COSCALE_ECS_REGION", "COSCALE_AUTH_ENABLED")), names.toString());
        Set<String> secrets = list(container.get("Secrets")).stream().map(e -> (String) asMap(e).get("Name"))
                .collect(Collectors.toSet());
        assertEquals(Set.of("COSCALE_AUTH_TOKENS_UPSTREAM_SECRET", "COSCALE_AUTH_TOKENS_WORKER_SECRET",
                "COSCALE_AUTH_TOKENS_OPERATOR_SECRET"), secrets);
    }

    private static Set<String> actions(Map<String, Object> statement) {
        return list(statement.get("Action")).stream().map(String.class::cast).collect(Collectors.toSet());
    }

    /** Statements of a role that grant any of the given actions. */
    private static List<Map<String, Object>> statementsWith(CfnTemplate t, String role, String... anyOf) {
        Set<String> wanted = Set.of(anyOf);
        return t.statements(role).stream().filter(s -> actions(s).stream().anyMatch(wanted::contains)).toList();
    }

    /** The value of {@code Condition: {ArnEquals: {ecs:cluster: ...}}}, or null. */
    private static Object clusterCondition(Map<String, Object> statement) {
        Map<String, Object> condition = asMap(statement.get("Condition"));
        if (condition == null || condition.get("ArnEquals") == null) {
            return null;
        }
        return map(condition, "ArnEquals").get("ecs:cluster");
    }
}
