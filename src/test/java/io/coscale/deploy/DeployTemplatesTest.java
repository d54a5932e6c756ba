package io.coscale.deploy;

import static io.coscale.deploy.CfnTemplate.asMap;
import static io.coscale.deploy.CfnTemplate.list;
import static io.coscale.deploy.CfnTemplate.map;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

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
        assertEquals(Map.of("ecs:cluster", Map.of("Ref", "WorkerClusterArns")), condition.get("ArnEquals"));
        assertEquals(Set.of("ecs:TagResource"), actions(tagging.get(0)));
    }

    @Test
    void coscaleHasExactlyTheEcsSqsDynamoDbAndSecretsManagerActionsItUses() {
        Set<String> all = coscale.statements("TaskRole").stream().flatMap(s -> actions(s).stream())
                .collect(Collectors.toSet());
        assertEquals(Set.of("ecs:UpdateService", "ecs:DescribeServices", "ecs:ListTasks", "ecs:DescribeTasks",
                "ecs:UpdateTaskProtection", "ecs:GetTaskProtection", "ecs:TagResource",
                "sqs:SendMessage", "sqs:GetQueueAttributes", "sqs:GetQueueUrl", "secretsmanager:GetSecretValue",
                "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:DeleteItem", "dynamodb:UpdateItem", "dynamodb:Scan"), all);
    }

    /**
     * The lease needs a conditional read and write of one item; the Idempotency-Key records a read, conditional puts
     * and deletes of their own items (idem#…) alone, so that nothing may delete the lease; pools as data reads and
     * updates its own items (pool#…, pools#version) and scans the table. Nothing else in DynamoDB, on no other table.
     */
    @Test
    @SuppressWarnings("unchecked")
    void coscaleMayOnlyReadAndWriteItemsOfItsLeaseTable() {
        List<Map<String, Object>> dynamo = coscale.statements("TaskRole").stream()
                .filter(s -> actions(s).stream().anyMatch(a -> a.startsWith("dynamodb:"))).toList();
        assertEquals(4, dynamo.size(), dynamo.toString());
        Map<String, Object> lease = dynamo.stream().filter(s -> "HoldTheLeaderLease".equals(s.get("Sid"))).findFirst().orElseThrow();
        assertEquals(Set.of("dynamodb:GetItem", "dynamodb:PutItem"), actions(lease));
        assertEquals(List.of(Map.of("Fn::GetAtt", List.of("LeaseTable", "Arn"))), list(lease.get("Resource")));
        assertFalse(lease.containsKey("Condition"), lease.toString());

        Map<String, Object> keys = dynamo.stream().filter(s -> "KeepIdempotencyKeys".equals(s.get("Sid"))).findFirst().orElseThrow();
        assertEquals(Set.of("dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:DeleteItem"), actions(keys));
        assertEquals(List.of(Map.of("Fn::GetAtt", List.of("LeaseTable", "Arn"))), list(keys.get("Resource")));
        Map<String, Object> condition = (Map<String, Object>) keys.get("Condition");
        assertEquals(Map.of("ForAllValues:StringLike", Map.of("dynamodb:LeadingKeys", List.of("idem#*"))), condition);

        Map<String, Object> pools = dynamo.stream().filter(s -> "KeepPoolDefinitions".equals(s.get("Sid"))).findFirst().orElseThrow();
        assertEquals(Set.of("dynamodb:GetItem", "dynamodb:UpdateItem"), actions(pools));
        assertEquals(Map.of("ForAllValues:StringLike", Map.of("dynamodb:LeadingKeys", List.of("pool#*", "pools#version"))),
                pools.get("Condition"));
        Map<String, Object> scan = dynamo.stream().filter(s -> "ReadEveryPool".equals(s.get("Sid"))).findFirst().orElseThrow();
        assertEquals(Set.of("dynamodb:Scan"), actions(scan));
        assertEquals(List.of(Map.of("Fn::GetAtt", List.of("LeaseTable", "Arn"))), list(scan.get("Resource")));
    }

    @Test
    void theLeaseTableIsKeyedByNameAlonePaidPerRequestAndExpiresByTtl() {
        assertEquals(List.of("LeaseTable"), coscale.resourcesOfType("AWS::DynamoDB::Table"));
        Map<String, Object> table = coscale.properties("LeaseTable");
        assertEquals(List.of(Map.of("AttributeName", "name", "KeyType", "HASH")), table.get("KeySchema"));
        assertEquals(List.of(Map.of("AttributeName", "name", "AttributeType", "S")), table.get("AttributeDefinitions"));
        assertEquals("PAY_PER_REQUEST", table.get("BillingMode"));
        assertEquals(Map.of("AttributeName", "ttl", "Enabled", true), table.get("TimeToLiveSpecification"));
    }

    @Test
    void coscaleSqsActionsAreLimitedToTheListedQueues() {
        List<Map<String, Object>> sqs = statementsWith(coscale, "TaskRole",
                "sqs:SendMessage", "sqs:GetQueueAttributes", "sqs:GetQueueUrl");
        assertFalse(sqs.isEmpty());
        for (Map<String, Object> s : sqs) {
            assertTrue(actions(s).stream().allMatch(a -> a.startsWith("sqs:")), s.toString());
            // The dead-letter queues only for reading their depth.
            List<Object> resources = list(s.get("Resource"));
            if (resources.equals(List.of(Map.of("Ref", "WorkerDeadLetterQueueArns")))) {
                assertEquals(Set.of("sqs:GetQueueAttributes"), actions(s), s.toString());
            } else {
                assertEquals(List.of(REF_QUEUES), resources, s.toString());
            }
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
        Object coscaleStop = asMap(list(coscale.properties("TaskDefinition").get("ContainerDefinitions")).get(0)).get("StopTimeout");
        assertTrue(coscaleStop instanceof Integer seconds && seconds >= 2 && seconds <= 120, "coscale StopTimeout " + coscaleStop);
    }

    /**
     * A task definition's stopTimeout stops at 120 s on any launch type: Fargate workers get the parameter, EC2
     * workers none, so that the agent's ECS_CONTAINER_STOP_TIMEOUT (Ec2StopTimeout) applies and may be longer.
     */
    @Test
    void workerStopTimeoutIsTheBoundedParameterOnFargateAndTheAgentsSettingOnEc2() {
        assertEquals(120, pool.parameter("StopTimeout").get("MaxValue"));
        Object stop = asMap(list(pool.properties("TaskDefinition").get("ContainerDefinitions")).get(0)).get("StopTimeout");
        assertEquals(Map.of("Fn::If", List.of("IsEc2", Map.of("Ref", "AWS::NoValue"), Map.of("Ref", "StopTimeout"))), stop);
        assertTrue(String.valueOf(pool.properties("LaunchTemplate")).contains("ECS_CONTAINER_STOP_TIMEOUT=${Ec2StopTimeout}s"));
    }

    /** Readiness, which one failing pool cannot take down (ReadinessTest): ECS replaces a task this check fails. */
    @Test
    void loadBalancerSendsTrafficOnlyToAReadyCoscale() {
        assertEquals("/q/health/ready", coscale.properties("TargetGroup").get("HealthCheckPath"));
        assertEquals(8080, coscale.properties("TargetGroup").get("Port"));
    }

    /** Two replicas, the new ones up before the old ones stop: the lease moves, the service never stops serving. */
    @Test
    void coscaleRunsTwoReplicasAndRollsWithoutDowntime() {
        Map<String, Object> service = coscale.properties("Service");
        assertEquals(2, service.get("DesiredCount"));
        Map<String, Object> deployment = map(service, "DeploymentConfiguration");
        assertEquals(100, deployment.get("MinimumHealthyPercent"));
        assertEquals(200, deployment.get("MaximumPercent"));
        assertEquals(Map.of("Enable", true, "Rollback", true), deployment.get("DeploymentCircuitBreaker"));
        assertEquals(Map.of("Ref", "TaskSubnetIds"),
                map(map(service, "NetworkConfiguration"), "AwsvpcConfiguration").get("Subnets"));
    }

    /** A replica that does not lead passes work to the leader on the container port. */
    @Test
    void replicasMayReachEachOtherOnTheContainerPort() {
        Map<String, Object> rule = coscale.properties("ReplicaToReplicaIngress");
        assertEquals("AWS::EC2::SecurityGroupIngress", coscale.resource("ReplicaToReplicaIngress").get("Type"));
        assertEquals(Map.of("Ref", "ServiceSecurityGroup"), rule.get("GroupId"));
        assertEquals(Map.of("Ref", "ServiceSecurityGroup"), rule.get("SourceSecurityGroupId"));
        assertEquals(List.of("tcp", 8080, 8080), List.of(rule.get("IpProtocol"), rule.get("FromPort"), rule.get("ToPort")));
    }

    /**
     * Every environment variable the template sets is one coscale reads: an exact list, so that a setting nothing
     * reads cannot creep back in. Pools come from one SSM parameter, not from per-pool variables.
     */
    @Test
    void coscaleGetsExactlyTheSettingsItReadsAndItsPoolsFromOneSsmParameter() {
        Map<String, Object> container = asMap(list(coscale.properties("TaskDefinition").get("ContainerDefinitions")).get(0));
        Map<String, Object> environment = entries(container.get("Environment"), "Value");
        assertEquals(Set.of("COSCALE_ECS_REGION", "COSCALE_LEASE_STORE", "COSCALE_LEASE_TABLE", "COSCALE_AUTH_ENABLED",
                "COSCALE_POOL_DATA_QUEUE_PREFIX", "COSCALE_POOL_DATA_SERVICE_PREFIX", "COSCALE_POOL_DATA_CLUSTER",
                "COSCALE_METRICS_EMF_ENABLED", "COSCALE_METRICS_EMF_NAMESPACE",
                "COSCALE_AUTH_TOKENS_UPSTREAM_ROLES", "COSCALE_AUTH_TOKENS_WORKER_ROLES",
                "COSCALE_AUTH_TOKENS_OPERATOR_ROLES", "COSCALE_AUTH_TOKENS_REPLICA_ROLES", "COSCALE_AUTH_TOKEN_SECRET",
                "COSCALE_WARM_UP_DURATION"),
                environment.keySet());
        assertEquals("replica", environment.get("COSCALE_AUTH_TOKENS_REPLICA_ROLES"));
        // coscale reads the token secret itself (and again every minute), with its task role and that secret only;
        // ECS no longer injects tokens, so the execution role reads no secret.
        assertEquals(Map.of("Ref", "TokenSecretArn"), environment.get("COSCALE_AUTH_TOKEN_SECRET"));
        List<Map<String, Object>> reads = coscale.statements("TaskRole").stream()
                .filter(s -> actions(s).contains("secretsmanager:GetSecretValue")).toList();
        assertEquals(1, reads.size(), reads.toString());
        assertEquals(Map.of("Ref", "TokenSecretArn"), reads.get(0).get("Resource"));
        assertTrue(coscale.statements("ExecutionRole").stream()
                .noneMatch(s -> actions(s).stream().anyMatch(a -> a.startsWith("secretsmanager:"))));
        assertEquals("dynamodb", environment.get("COSCALE_LEASE_STORE"));
        assertEquals(Map.of("Ref", "LeaseTable"), environment.get("COSCALE_LEASE_TABLE"));

        Map<String, Object> secrets = entries(container.get("Secrets"), "ValueFrom");
        assertEquals(Set.of("COSCALE_POOLS_JSON"), secrets.keySet());
        String poolsArn = "arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter${PoolsParameter}";
        assertEquals(Map.of("Fn::Sub", poolsArn), secrets.get("COSCALE_POOLS_JSON"));

        Map<String, Object> parameter = coscale.properties("PoolsParameter");
        assertEquals(Map.of("Fn::Sub", "/coscale/${AWS::StackName}/pools"), parameter.get("Name"));
        assertEquals("String", parameter.get("Type"));
        assertEquals(Map.of("Ref", "PoolsJson"), parameter.get("Value"));
        assertEquals("{\"pools\": {}}", coscale.parameter("PoolsJson").get("Default"));

        // ECS reads the parameter with the execution role when a task starts; that role may read this one only.
        List<Map<String, Object>> ssm = coscale.statements("ExecutionRole").stream()
                .filter(s -> actions(s).stream().anyMatch(a -> a.startsWith("ssm:"))).toList();
        assertEquals(1, ssm.size(), ssm.toString());
        assertEquals(Set.of("ssm:GetParameters"), actions(ssm.get(0)));
        assertEquals(List.of(Map.of("Fn::Sub", poolsArn)), list(ssm.get(0).get("Resource")));
        assertTrue(coscale.statements("TaskRole").stream().flatMap(s -> actions(s).stream()).noneMatch(a -> a.startsWith("ssm:")));
    }

    @Test
    void coscaleAlarmsOnAnUnhealthyReplicaNoHealthyReplicaAndThrottledUpdates() {
        Map<String, Object> unhealthy = alarm(coscale, "UnhealthyReplicaAlarm", "AWS/ApplicationELB", "UnHealthyHostCount");
        assertEquals(List.of(1, "GreaterThanOrEqualToThreshold"), List.of(unhealthy.get("Threshold"), unhealthy.get("ComparisonOperator")));
        Map<String, Object> none = alarm(coscale, "NoHealthyReplicaAlarm", "AWS/ApplicationELB", "HealthyHostCount");
        assertEquals(List.of(1, "LessThanThreshold"), List.of(none.get("Threshold"), none.get("ComparisonOperator")));
        assertEquals("breaching", none.get("TreatMissingData"));

        Map<String, Object> filter = coscale.properties("UpdateServiceThrottledMetricFilter");
        assertEquals(Map.of("Ref", "LogGroup"), filter.get("LogGroupName"));
        Map<String, Object> metric = asMap(list(filter.get("MetricTransformations")).get(0));
        Map<String, Object> throttled = alarm(coscale, "UpdateServiceThrottledAlarm", metric.get("MetricNamespace"),
                (String) metric.get("MetricName"));
        assertEquals(List.of(1, "GreaterThanOrEqualToThreshold"), List.of(throttled.get("Threshold"), throttled.get("ComparisonOperator")));
    }

    @Test
    void poolAlarmsOnADeadLetterAndOnJobsWaitingTooLong() {
        Map<String, Object> dlq = alarm(pool, "DeadLetterQueueNotEmptyAlarm", "AWS/SQS", "ApproximateNumberOfMessagesVisible");
        assertEquals(List.of(Map.of("Name", "QueueName", "Value", Map.of("Fn::GetAtt", List.of("DeadLetterQueue", "QueueName")))),
                dlq.get("Dimensions"));
        assertEquals(List.of(0, "GreaterThanThreshold"), List.of(dlq.get("Threshold"), dlq.get("ComparisonOperator")));
        Map<String, Object> age = alarm(pool, "OldestMessageTooOldAlarm", "AWS/SQS", "ApproximateAgeOfOldestMessage");
        assertEquals(List.of(Map.of("Name", "QueueName", "Value", Map.of("Fn::GetAtt", List.of("Queue", "QueueName")))),
                age.get("Dimensions"));
        assertEquals(Map.of("Ref", "OldestMessageAgeAlarmSeconds"), age.get("Threshold"));
    }

    /** Fifo and ContentBasedDeduplication, as the walk-through's pool would be deployed with them. */
    @ParameterizedTest(name = "Fifo={0} ContentBasedDeduplication={1}")
    @CsvSource({"false, false, gpu-jobs, gpu-dlq", "true, false, gpu-jobs.fifo, gpu-dlq.fifo",
            "true, true, gpu-jobs.fifo, gpu-dlq.fifo"})
    void aFifoPoolHasFifoQueuesWithTheDeduplicationChosenAndAStandardOneNeither(boolean fifo, boolean contentBased,
            String queue, String deadLetterQueue) throws IOException {
        CfnStack stack = Walkthrough.read().anotherPool("gpu", Map.of("Fifo", Boolean.toString(fifo),
                "ContentBasedDeduplication", Boolean.toString(contentBased)));
        assertEquals(queue, stack.property("Queue", "QueueName"));
        assertEquals(deadLetterQueue, stack.property("DeadLetterQueue", "QueueName"));
        assertEquals("arn:aws:sqs:eu-west-1:123456789012:" + queue, stack.output("QueueArn"));
        assertEquals("https://sqs.eu-west-1.amazonaws.com/123456789012/" + queue, stack.output("QueueUrl"));
        if (fifo) {
            assertEquals(true, stack.property("Queue", "FifoQueue"));
            assertEquals(true, stack.property("DeadLetterQueue", "FifoQueue"), "a FIFO queue's dead-letter queue is FIFO");
            assertEquals(contentBased, stack.property("Queue", "ContentBasedDeduplication"));
        } else {
            for (String property : List.of("FifoQueue", "ContentBasedDeduplication")) {
                assertFalse(stack.hasProperty("Queue", property), property + " on a standard queue");
                assertFalse(stack.hasProperty("DeadLetterQueue", property), property + " on a standard dead-letter queue");
            }
        }
    }

    @Test
    void contentBasedDeduplicationIsRefusedOnAStandardQueue() {
        Map<String, Object> rule = map(map(pool.root(), "Rules"), "ContentBasedDeduplicationNeedsFifo");
        assertEquals(Map.of("Fn::Equals", List.of(Map.of("Ref", "ContentBasedDeduplication"), "true")),
                rule.get("RuleCondition"));
        assertEquals(Map.of("Fn::Equals", List.of(Map.of("Ref", "Fifo"), "true")),
                asMap(list(rule.get("Assertions")).get(0)).get("Assert"));
    }

    /** The Auto Scaling group never terminates an instance that runs a task: ECS lifts protection from empty ones only. */
    @Test
    void ec2CapacityHasManagedTerminationProtectionAndProtectsNewInstances() {
        Map<String, Object> provider = map(pool.properties("Ec2CapacityProvider"), "AutoScalingGroupProvider");
        assertEquals("ENABLED", provider.get("ManagedTerminationProtection"));
        assertEquals("ENABLED", map(provider, "ManagedScaling").get("Status"));
        assertEquals(Map.of("Ref", "AutoScalingGroup"), provider.get("AutoScalingGroupArn"));
        Map<String, Object> group = pool.properties("AutoScalingGroup");
        assertEquals(true, group.get("NewInstancesProtectedFromScaleIn"));
        assertFalse(group.containsKey("DesiredCapacity"), "managed scaling owns the group's desired capacity");
        for (String ec2Only : List.of("Ec2CapacityProvider", "AutoScalingGroup", "LaunchTemplate", "InstanceRole", "InstanceProfile")) {
            assertEquals("IsEc2", pool.resource(ec2Only).get("Condition"), ec2Only);
        }
    }

    @Test
    void ec2InstancesHaveOnlyTheEcsInstanceRoleAndWorkersNeverGetIt() {
        Map<String, Object> role = pool.properties("InstanceRole");
        assertFalse(role.containsKey("Policies"), role.toString());
        assertEquals(List.of(Map.of("Fn::Sub",
                "arn:${AWS::Partition}:iam::aws:policy/service-role/AmazonEC2ContainerServiceforEC2Role")),
                role.get("ManagedPolicyArns"));
        String userData = String.valueOf(pool.properties("LaunchTemplate"));
        assertTrue(userData.contains("ECS_AWSVPC_BLOCK_IMDS=true"), "tasks must not reach the instance's credentials");
    }

    /** ECS would otherwise stop tasks to even out zones, choosing by zone rather than by who is idle. */
    @Test
    void workerServiceNeverRebalancesAcrossZones() {
        assertEquals("DISABLED", pool.properties("Service").get("AvailabilityZoneRebalancing"));
    }

    @Test
    void workerServiceTakesItsLaunchTypeOrCapacityProviderFromTheLaunchTypeParameter() {
        assertEquals(List.of("FARGATE", "FARGATE_SPOT", "EC2"), pool.parameter("LaunchType").get("AllowedValues"));
        Map<String, Object> service = pool.properties("Service");
        assertEquals(Map.of("Fn::If", List.of("IsFargate", "FARGATE", Map.of("Ref", "AWS::NoValue"))), service.get("LaunchType"));
        assertTrue(String.valueOf(service.get("CapacityProviderStrategy")).contains("FARGATE_SPOT"));
        assertTrue(String.valueOf(service.get("CapacityProviderStrategy")).contains("Ec2CapacityProvider"));
    }

    /** A container's Environment or Secrets as name to value. */
    private static Map<String, Object> entries(Object list, String valueKey) {
        Map<String, Object> byName = new HashMap<>();
        for (Object item : list(list)) {
            Map<String, Object> entry = asMap(item);
            byName.put((String) entry.get("Name"), entry.get(valueKey));
        }
        return byName;
    }

    /** An alarm's properties, after checking that it watches the given metric and notifies the optional topic. */
    private static Map<String, Object> alarm(CfnTemplate t, String id, Object namespace, String metric) {
        assertEquals("AWS::CloudWatch::Alarm", t.resource(id).get("Type"), id);
        Map<String, Object> alarm = t.properties(id);
        assertEquals(namespace, alarm.get("Namespace"), id);
        assertEquals(metric, alarm.get("MetricName"), id);
        Object topic = Map.of("Fn::If", List.of("HasAlarmTopic", List.of(Map.of("Ref", "AlarmTopicArn")), Map.of("Ref", "AWS::NoValue")));
        assertEquals(topic, alarm.get("AlarmActions"), id);
        return alarm;
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
