package io.coscale.control;

import static io.coscale.local.ecs.EcsEmulatorFixture.eventually;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.coscale.TestClock;
import io.coscale.aws.AwsClientProducer;
import io.coscale.aws.EcsGateway;
import io.coscale.aws.QueueGateway;
import io.coscale.aws.ServiceState;
import io.coscale.aws.TaskState;
import io.coscale.concurrent.TokenBucket;
import io.coscale.config.EcsConfig;
import io.coscale.control.budget.EcsBudget;
import io.coscale.control.budget.TaskReadBudget;
import io.coscale.domain.Mode;
import io.coscale.domain.Pool;
import io.coscale.domain.ReleaseDecision;
import io.coscale.lease.CountForwarding;
import io.coscale.lease.FollowerLeadership;
import io.coscale.lease.Leadership;
import io.coscale.lease.NotLeaderException;
import io.coscale.local.LocalCloudTestResource;
import io.coscale.local.ecs.EcsEmulatorFixture;
import io.coscale.local.ecs.FaultInjector;
import io.coscale.local.sqs.EmbeddedSqs;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.quarkus.runtime.configuration.DurationConverter;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ecs.model.ContainerDefinition;
import software.amazon.awssdk.services.ecs.model.Task;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * One pool's controller against the real parts — the ECS emulator and embedded SQS, through the gateways
 * and the SDK — without booting Quarkus: merging of concurrent scale-ups, a failed scale-up retried without
 * loss, unprotect-before-decrement, a repeated release that lowers the count once, protection kept from the
 * claim to the exit, a worker deploy draining, and exits merged into the pool's count changes (decided one below
 * another, absorbed by a raise while pending, a failed merged write finished once per exit).
 */
class PoolControllerTest {

    private static final String SERVICE = "workers";

    private EcsEmulatorFixture ecs;
    private EmbeddedSqs sqsServer;
    private SqsClient sqs;
    private ControlContext ctx;
    private String queueUrl;
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    @BeforeEach
    void setUp() {
        ecs = EcsEmulatorFixture.start(20, EcsEmulatorFixture.idleRunner());
        ecs.setUpCluster(1, java.util.Map.of());
        ecs.createService(SERVICE, 0);
        sqsServer = EmbeddedSqs.start(LocalCloudTestResource.freePort(), "us-east-1");
        sqs = SqsClient.builder().endpointOverride(URI.create(sqsServer.endpoint())).region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("t", "t")))
                .httpClient(UrlConnectionHttpClient.create()).build();
        queueUrl = sqs.createQueue(b -> b.queueName("jobs")).queueUrl();
        ctx = context(Duration.ZERO);
    }

    @AfterEach
    void tearDown() {
        ctx.threads().shutdown();
        sqs.close();
        sqsServer.close();
        ecs.close();
    }

    /** The shared parts as Pools makes them; {@code exitSettle}: how long after start counts stay put. */
    private ControlContext context(Duration exitSettle) {
        return context(exitSettle, Clock.systemUTC());
    }

    private ControlContext context(Duration exitSettle, Clock clock) {
        return context(exitSettle, clock, new EcsBudget(new TokenBucket(50, 5), "coscale-budget"));
    }

    private ControlContext context(Duration exitSettle, Clock clock, EcsBudget updateServiceBudget) {
        return context(exitSettle, clock, updateServiceBudget, Leadership.ALONE, CountForwarding.NONE);
    }

    private ControlContext context(Duration exitSettle, Clock clock, EcsBudget updateServiceBudget,
            Leadership leadership, CountForwarding counts) {
        EcsGateway ecsGateway = new EcsGateway(ecs.ecs);
        return ControlContext.create(ecsGateway, new QueueGateway(sqs), updateServiceBudget,
                new TaskReadBudget(new TokenBucket(50, 15), 25, Duration.ofSeconds(10)),
                new EcsBudget(new TokenBucket(20, 10), "coscale-tag-budget"), ControlThreads.create(2, 4, 4), clock, Duration.ofMillis(100),
                Duration.ofSeconds(2), 100, exitSettle,
                new ControlMetrics(registry), leadership, counts);
    }

    @Test
    void aFollowerPassesCountsOnAndWritesNothingToEcsUntilItTakesTheLeaseOver() throws Exception {
        FollowerLeadership follower = new FollowerLeadership();
        List<String> forwarded = new java.util.concurrent.CopyOnWriteArrayList<>();
        ctx.threads().shutdown();
        ctx = context(Duration.ZERO, Clock.systemUTC(), new EcsBudget(new TokenBucket(50, 5), "coscale-budget"), follower,
                (pool, jobs, groups) -> forwarded.add(pool + ":" + jobs));
        PoolController pool = controller(5, Mode.PROTECT);
        String task = firstOf(1);
        long calls = updateServiceCalls();
        long protections = protectionCalls();

        pool.submitted(3);
        assertThatThrownBy(() -> pool.claim(task, null).get(10, TimeUnit.SECONDS)).hasCauseInstanceOf(NotLeaderException.class);

        assertThat(forwarded).containsExactly("p:3");
        assertThat(updateServiceCalls()).isEqualTo(calls);
        assertThat(protectionCalls()).isEqualTo(protections);

        follower.leads = true;
        pool.takeOver().get(10, TimeUnit.SECONDS);
        // Two jobs for the one task running: the jobs accepted as a follower are the last leader's (not counted again).
        pool.submitted(2);
        eventually().until(() -> ecs.service(SERVICE).desiredCount() >= 1 && updateServiceCalls() > calls);
        assertThat(forwarded).hasSize(1);
    }

    /**
     * Defect 3 of issue 21: the jobs a follower accepted (and forwarded to the leader, which scaled for them) are not
     * counted again on take-over: one job submitted between the take-over and the first reconcile raises the count by
     * one task, not to maxTasks on an empty queue.
     */
    @Test
    void aTakeOverDoesNotCountTheJobsAcceptedAsAFollowerAgain() throws Exception {
        FollowerLeadership follower = new FollowerLeadership();
        ctx.threads().shutdown();
        ctx = context(Duration.ZERO, Clock.systemUTC(), new EcsBudget(new TokenBucket(50, 5), "coscale-budget"), follower, (pool, jobs, groups) -> { });
        PoolController pool = controller(5, Mode.PROTECT);
        pool.submitted(10); // as a follower; the leader has had them done since: the queue is empty
        long calls = updateServiceCalls();

        follower.leads = true;
        pool.takeOver().get(10, TimeUnit.SECONDS);
        pool.submitted(1);

        eventually().until(() -> updateServiceCalls() > calls);
        assertThat(ecs.service(SERVICE).desiredCount()).as("one job, one task").isEqualTo(1);
    }

    /**
     * Defect 4 of issue 21: an UpdateService checked against the lease, sent into an ECS slower than the lease's
     * margins, and the lease gone right after the check. The call is cut off by the ECS client's call timeout (the
     * configured default) and not retried: the retry's lease check refuses it, and nothing more reaches ECS.
     */
    @Test
    void aSlowEcsWriteIsCutOffByTheCallTimeoutAndNotRetriedOnceTheLeaseIsGone() throws Exception {
        java.util.concurrent.atomic.AtomicInteger checks = new java.util.concurrent.atomic.AtomicInteger();
        FollowerLeadership leaseMovesAfterTheCheck = new FollowerLeadership() {
            @Override
            public void checkWrite() {
                if (checks.getAndIncrement() > 0) {
                    throw new NotLeaderException("the lease moved", leaderAddress());
                }
            }
        };
        leaseMovesAfterTheCheck.leads = true;
        Duration callTimeout = DurationConverter.parseDuration(EcsConfig.DEFAULT_CALL_TIMEOUT);
        AwsClientProducer.checkCallTimeout(callTimeout, Duration.ofSeconds(1));
        software.amazon.awssdk.services.ecs.EcsClient timed = AwsClientProducer.ecsClient(
                StaticCredentialsProvider.create(AwsBasicCredentials.create("t", "t")),
                java.util.Optional.of(URI.create(ecs.emulator.endpoint())), java.util.Optional.of(Region.US_EAST_1),
                callTimeout);
        ctx.threads().shutdown();
        ctx = ControlContext.create(new EcsGateway(timed), new QueueGateway(sqs), new EcsBudget(new TokenBucket(50, 5),
                        "coscale-budget"), new TaskReadBudget(new TokenBucket(50, 15), 25, Duration.ofSeconds(10)),
                new EcsBudget(new TokenBucket(20, 10), "coscale-tag-budget"), ControlThreads.create(2, 4, 4),
                Clock.systemUTC(), Duration.ofMillis(100), Duration.ofSeconds(2), 100, Duration.ZERO,
                new ControlMetrics(registry), leaseMovesAfterTheCheck, CountForwarding.NONE);
        PoolController pool = controller(5, Mode.PROTECT);
        ecs.emulator.faults().set("UpdateService", new FaultInjector.Fault(Duration.ofSeconds(4), 0, "ServerException"));
        try {
            CompletableFuture<Void> write = ctx.writes().updateService(pool.pool(), 3);

            assertThatThrownBy(() -> write.get(3, TimeUnit.SECONDS)).as("cut off well before ECS's 4 s answer")
                    .isInstanceOf(java.util.concurrent.ExecutionException.class)
                    .hasCauseInstanceOf(NotLeaderException.class);
            assertThat(checks.get()).as("the retry was checked against the lease and refused").isEqualTo(2);
            eventually().until(() -> updateServiceCalls() == 1);
        } finally {
            ecs.emulator.faults().clear();
            timed.close();
        }
    }

    private PoolController controller(int max, Mode mode) {
        return new PoolController(new Pool("p", EcsEmulatorFixture.CLUSTER, SERVICE, queueUrl, 0, max, mode, 1, 120,
                Duration.ofSeconds(60)), ctx);
    }

    /**
     * A pool with one-minute protection on {@code clock}, one task claimed, and its take-over (started by a renewal
     * run) ended before the test moves the clock ahead of ECS's: once adopted, what lapses soon by coscale's clock is
     * renewed at once, and by that clock a renewal ECS dates would lapse soon too.
     */
    private PoolController claimedAndTakenOver(TestClock clock) throws Exception {
        ctx.threads().shutdown();
        ctx = context(Duration.ZERO, clock);
        PoolController pool = protectPool(0, 5, 1);
        pool.claim(firstOf(1), null).get(10, TimeUnit.SECONDS);
        pool.renewProtection().get(10, TimeUnit.SECONDS);
        eventually().until(pool::protectionTakenOver);
        return pool;
    }

    private PoolController protectPool(int min, int max, int protectionMinutes) {
        return new PoolController(new Pool("p", EcsEmulatorFixture.CLUSTER, SERVICE, queueUrl, min, max, Mode.PROTECT, 1,
                protectionMinutes, Duration.ofSeconds(60)), ctx);
    }

    /** Runs {@code count} tasks of the service and returns the first one's ARN. */
    private String firstOf(int count) {
        ecs.setDesiredCount(SERVICE, count);
        ecs.awaitCounts(SERVICE, count, 0);
        return ecs.activeTasks(SERVICE).get(0).taskArn();
    }

    private long updateServiceCalls() {
        return ecs.emulator.stats().snapshot().apiCalls("UpdateService");
    }

    @Test
    void concurrentSubmissionsAreMergedIntoFewCalls() throws Exception {
        PoolController pool = controller(40, Mode.PROTECT);
        // A slow ECS: whatever arrives while a call is in flight must ride on the next one.
        ecs.emulator.faults().set("UpdateService", new FaultInjector.Fault(Duration.ofMillis(150), 0, null));
        ExecutorService clients = Executors.newFixedThreadPool(8);
        for (int i = 0; i < 40; i++) {
            clients.execute(() -> pool.submitted(1));
        }
        clients.shutdown();
        assertThat(clients.awaitTermination(10, TimeUnit.SECONDS)).isTrue();

        eventually().until(() -> ecs.service(SERVICE).desiredCount() == 40);
        assertThat(updateServiceCalls()).isBetween(1L, 4L);
        // ECS applies the write before it answers: the pool takes the count in with the answer, a moment later.
        eventually().untilAsserted(() -> assertThat(pool.status().desiredCount()).isEqualTo(40));
    }

    @Test
    void aFailedScaleUpIsRetriedWithoutLosingTheDelta() {
        PoolController pool = controller(10, Mode.PROTECT);
        ecs.emulator.faults().set("UpdateService", new FaultInjector.Fault(Duration.ZERO, 1.0, "ServerException"));
        pool.submitted(3);
        eventually().until(() -> pool.status().lastError() != null && updateServiceCalls() >= 2);
        assertThat(ecs.service(SERVICE).desiredCount()).isZero();
        assertThat(pool.events().newest(10)).anyMatch(e -> e.kind() == io.coscale.domain.Event.Kind.ERROR);

        ecs.emulator.faults().clear();
        eventually().atMost(Duration.ofSeconds(15)).until(() -> ecs.service(SERVICE).desiredCount() == 3);
    }

    @Test
    void anExitUnprotectsFirstAndARepeatedReleaseLowersTheCountOnce() throws Exception {
        PoolController pool = controller(5, Mode.PROTECT);
        ecs.setDesiredCount(SERVICE, 2);
        ecs.awaitCounts(SERVICE, 2, 0);
        List<String> tasks = ecs.activeTasks(SERVICE).stream().map(t -> t.taskArn()).toList();
        ClaimResult claim = pool.claim(tasks.get(0), null).get(10, TimeUnit.SECONDS);
        assertThat(claim.isProtected()).isTrue();
        assertThat(protectedNow(tasks.get(0))).isTrue();
        long before = updateServiceCalls();

        ReleaseDecision first = pool.release(TestContexts.task(tasks.get(0))).get(10, TimeUnit.SECONDS);
        ReleaseDecision again = pool.release(TestContexts.task(tasks.get(0))).get(10, TimeUnit.SECONDS);

        assertThat(first.kind()).isEqualTo(ReleaseDecision.Kind.EXIT);
        assertThat(first.desiredCount()).isEqualTo(1);
        assertThat(again).isEqualTo(first);
        assertThat(updateServiceCalls() - before).isEqualTo(1);
        assertThat(ecs.service(SERVICE).desiredCount()).isEqualTo(1);
        assertThat(protectedNow(tasks.get(0))).isFalse();
    }

    @Test
    void aThrottledExitRecordIsRetriedAndTheCountLoweredOnce() throws Exception {
        PoolController pool = controller(5, Mode.PROTECT);
        ecs.setDesiredCount(SERVICE, 2);
        ecs.awaitCounts(SERVICE, 2, 0);
        String task = ecs.activeTasks(SERVICE).get(0).taskArn();
        // ECS meters TagResource at 20 burst and 10 a second: a mass exit meets it. The first attempt is throttled.
        ecs.emulator.faults().set("TagResource", new FaultInjector.Fault(Duration.ZERO, 1.0, "ThrottlingException"));
        java.util.concurrent.atomic.AtomicInteger tagCalls = new java.util.concurrent.atomic.AtomicInteger();
        ecs.emulator.addCallListener(new io.coscale.local.ecs.CallListener() {
            @Override
            public void received(String action, com.fasterxml.jackson.databind.JsonNode request, long receivedNanos) {
            }

            @Override
            public void answered(String action) {
                if (action.equals("TagResource") && tagCalls.incrementAndGet() == 1) {
                    ecs.emulator.faults().clear();
                }
            }
        });
        long before = updateServiceCalls();

        ReleaseDecision decision = pool.release(TestContexts.task(task)).get(10, TimeUnit.SECONDS);

        assertThat(decision.kind()).isEqualTo(ReleaseDecision.Kind.EXIT);
        assertThat(tagCalls.get()).isEqualTo(2);
        assertThat(updateServiceCalls() - before).isEqualTo(1);
        assertThat(ecs.service(SERVICE).desiredCount()).isEqualTo(1);
        assertThat(ecs.ecs.listTagsForResource(r -> r.resourceArn(task)).tags())
                .anySatisfy(t -> assertThat(t.key()).isEqualTo(EcsGateway.EXIT_TAG));
    }

    @Test
    void aReleaseWithJobsWaitingSaysContinueAndChangesNothing() throws Exception {
        PoolController pool = controller(5, Mode.PROTECT);
        ecs.setDesiredCount(SERVICE, 1);
        ecs.awaitCounts(SERVICE, 1, 0);
        sqs.sendMessage(b -> b.queueUrl(queueUrl).messageBody("{}"));
        long before = updateServiceCalls();

        ReleaseDecision decision = pool.release(TestContexts.task(ecs.activeTasks(SERVICE).get(0).taskArn())).get(10, TimeUnit.SECONDS);

        assertThat(decision.kind()).isEqualTo(ReleaseDecision.Kind.CONTINUE);
        assertThat(updateServiceCalls()).isEqualTo(before);
    }

    @Test
    void aStayKeepsTheTaskProtectedAndAHeartbeatClaimCostsNoEcsCall() throws Exception {
        PoolController pool = protectPool(1, 5, 120);
        String task = firstOf(1);
        assertThat(pool.claim(task, null).get(10, TimeUnit.SECONDS).isProtected()).isTrue();
        long protectionCalls = protectionCalls();

        ReleaseDecision decision = pool.release(TestContexts.task(task)).get(10, TimeUnit.SECONDS);
        ClaimResult heartbeat = pool.claim(task, null).get(10, TimeUnit.SECONDS);

        assertThat(decision.kind()).isEqualTo(ReleaseDecision.Kind.STAY);
        assertThat(protectedNow(task)).as("warm capacity stays protected until told to exit").isTrue();
        assertThat(heartbeat.isProtected()).isTrue();
        assertThat(protectionCalls()).as("no UpdateTaskProtection for a stay or a fresh heartbeat")
                .isEqualTo(protectionCalls);
    }

    @Test
    void aTaskOfAnOlderDeploymentIsToldToDrainAndExitsWithoutLoweringTheCount() throws Exception {
        PoolController pool = controller(5, Mode.PROTECT);
        Task old = oneOfTwoRunningTasks(pool);
        String v2 = ecs.ecs.registerTaskDefinition(r -> r.family(EcsEmulatorFixture.FAMILY).containerDefinitions(
                ContainerDefinition.builder().name("main").image("coscale/worker:v2").stopTimeout(1).build()))
                .taskDefinition().taskDefinitionArn();
        ecs.ecs.updateService(r -> r.cluster(EcsEmulatorFixture.CLUSTER).service(SERVICE).taskDefinition(v2));
        reconcileOnce(pool);
        sqs.sendMessage(b -> b.queueUrl(queueUrl).messageBody("{}")); // work waits: a release would say continue
        long before = updateServiceCalls();

        ClaimResult heartbeat = pool.claim(old.taskArn(), old.startedBy()).get(10, TimeUnit.SECONDS);
        ReleaseDecision decision = pool.release(TestContexts.task(old.taskArn(), old.startedBy())).get(10, TimeUnit.SECONDS);

        assertThat(heartbeat.drain()).isTrue();
        assertThat(decision.kind()).isEqualTo(ReleaseDecision.Kind.EXIT);
        assertThat(decision.lowersCount()).isFalse();
        assertThat(decision.desiredCount()).isEqualTo(2);
        assertThat(updateServiceCalls()).isEqualTo(before);
        assertThat(ecs.service(SERVICE).desiredCount()).isEqualTo(2);
        assertThat(protectedNow(old.taskArn())).isFalse();
        eventually().until(() -> "STOPPED".equals(ecs.task(old.taskArn()).desiredStatus())); // replaced by ECS
    }

    @Test
    void aForcedDeploymentWithTheSameTaskDefinitionTellsTheOldTasksToDrain() throws Exception {
        PoolController pool = controller(5, Mode.PROTECT);
        Task old = oneOfTwoRunningTasks(pool);

        ecs.ecs.updateService(r -> r.cluster(EcsEmulatorFixture.CLUSTER).service(SERVICE).forceNewDeployment(true));
        reconcileOnce(pool);
        ClaimResult heartbeat = pool.claim(old.taskArn(), old.startedBy()).get(10, TimeUnit.SECONDS);
        ReleaseDecision decision = pool.release(TestContexts.task(old.taskArn(), old.startedBy())).get(10, TimeUnit.SECONDS);

        assertThat(ecs.task(old.taskArn()).taskDefinitionArn()).as("the old task's task definition: the service's")
                .isEqualTo(ecs.service(SERVICE).taskDefinition());
        assertThat(heartbeat.drain()).as("a task the forced deployment replaces is told to drain").isTrue();
        assertThat(decision.kind()).isEqualTo(ReleaseDecision.Kind.EXIT);
        assertThat(decision.lowersCount()).isFalse();
        assertThat(ecs.service(SERVICE).desiredCount()).isEqualTo(2);
        eventually().until(() -> "STOPPED".equals(ecs.task(old.taskArn()).desiredStatus())); // replaced by ECS
        Task replacement = ecs.activeTasks(SERVICE).stream().filter(t -> !t.taskArn().equals(old.taskArn()))
                .filter(t -> !t.startedBy().equals(old.startedBy())).findFirst().orElseThrow();
        assertThat(pool.claim(replacement.taskArn(), replacement.startedBy()).get(10, TimeUnit.SECONDS).drain())
                .as("a task of the new deployment is not told to drain").isFalse();
    }

    /** Two tasks running and the service read by the pool; returns one, which its claim does not tell to drain. */
    private Task oneOfTwoRunningTasks(PoolController pool) throws Exception {
        ecs.setDesiredCount(SERVICE, 2);
        ecs.awaitCounts(SERVICE, 2, 0);
        reconcileOnce(pool);
        Task task = ecs.activeTasks(SERVICE).get(0);
        assertThat(pool.claim(task.taskArn(), task.startedBy()).get(10, TimeUnit.SECONDS).drain()).isFalse();
        return task;
    }

    @Test
    void aProtectedTaskTheCountWasLoweredUnderExitsAtItsReleaseWithoutLoweringItAgain() throws Exception {
        PoolController pool = protectPool(0, 5, 120);
        String task = firstOf(1);
        assertThat(pool.claim(task, null).get(10, TimeUnit.SECONDS).isProtected()).isTrue();
        // The idle correction lowered the count while the task, protected, ran on (its worker could not reach coscale).
        ecs.setDesiredCount(SERVICE, 0);
        reconcileOnce(pool);
        assertThat(ecs.service(SERVICE).runningCount()).as("protection keeps it running").isEqualTo(1);
        long before = updateServiceCalls();

        ReleaseDecision decision = pool.release(TestContexts.task(task)).get(10, TimeUnit.SECONDS);

        assertThat(decision.kind()).as("not stay forever at a count of 0").isEqualTo(ReleaseDecision.Kind.EXIT);
        assertThat(decision.lowersCount()).isFalse();
        assertThat(updateServiceCalls()).isEqualTo(before);
        assertThat(protectedNow(task)).isFalse();
        eventually().until(() -> "STOPPED".equals(ecs.task(task).desiredStatus())); // ECS's scale-in takes it now
    }

    @Test
    void aClaimAfterTheExitDoesNotProtectTheTaskAgain() throws Exception {
        PoolController pool = controller(5, Mode.PROTECT);
        String task = firstOf(1);
        pool.claim(task, null).get(10, TimeUnit.SECONDS);
        assertThat(pool.release(TestContexts.task(task)).get(10, TimeUnit.SECONDS).kind()).isEqualTo(ReleaseDecision.Kind.EXIT);

        ClaimResult late = pool.claim(task, null).get(10, TimeUnit.SECONDS);

        assertThat(late.isProtected()).isFalse();
        assertThat(late.drain()).isTrue();
        assertThat(protectedNow(task)).isFalse();
    }

    @Test
    void anExitRecordedOnTheTaskIsReplayedByARestartedCoscaleWithoutLoweringTheCountAgain() throws Exception {
        PoolController before = controller(5, Mode.PROTECT);
        String task = firstOf(2);
        before.claim(task, null).get(10, TimeUnit.SECONDS);
        assertThat(before.release(TestContexts.task(task)).get(10, TimeUnit.SECONDS).desiredCount()).isEqualTo(1);
        long calls = updateServiceCalls();

        // The worker never had its answer; it asks the coscale that replaced the killed one.
        PoolController restarted = controller(5, Mode.PROTECT);
        TaskState seen = new EcsGateway(ecs.ecs).describeTasks(EcsEmulatorFixture.CLUSTER, List.of(task)).get(task);
        ReleaseDecision again = restarted.release(seen).get(10, TimeUnit.SECONDS);

        assertThat(seen.exitRecord()).isEqualTo("1");
        assertThat(again.kind()).isEqualTo(ReleaseDecision.Kind.EXIT);
        assertThat(again.desiredCount()).isEqualTo(1);
        assertThat(updateServiceCalls()).as("no second decrement").isEqualTo(calls);
        assertThat(ecs.service(SERVICE).desiredCount()).isEqualTo(1);
    }

    @Test
    void justAfterStartUpAReleaseThatWouldLowerTheCountIsRefusedAndChangesNothing() throws Exception {
        ctx.threads().shutdown();
        ctx = context(Duration.ofMinutes(1));
        PoolController pool = controller(5, Mode.PROTECT);
        String task = firstOf(1);
        pool.claim(task, null).get(10, TimeUnit.SECONDS);
        long calls = updateServiceCalls();

        assertThatThrownBy(() -> pool.release(TestContexts.task(task)).get(10, TimeUnit.SECONDS))
                .hasCauseInstanceOf(NotSettledException.class).hasMessageContaining("settled");

        assertThat(updateServiceCalls()).isEqualTo(calls);
        assertThat(protectedNow(task)).isTrue();
        assertThat(ecs.task(task).tags()).isEmpty();
    }

    @Test
    void aRestartedCoscaleTakesOverTheProtectionItsPredecessorGaveAndKeepsItThroughAStay() throws Exception {
        PoolController before = protectPool(2, 5, 120);
        String task = firstOf(2);
        before.claim(task, null).get(10, TimeUnit.SECONDS);

        PoolController restarted = new PoolController(before.pool(), ctx);
        reconcileOnce(restarted);
        // The take-over is not part of the reconcile step: it waits for its turn of the task-read budget.
        eventually().until(restarted::protectionTakenOver);

        assertThat(restarted.status().protectedTasks()).isEqualTo(1);
        assertThat(restarted.events().newest(10)).anyMatch(e -> e.reason().equals("took over the protection of 1 task from ECS"));
        long protectionCalls = protectionCalls();
        assertThat(restarted.release(TestContexts.task(task)).get(10, TimeUnit.SECONDS).kind()).isEqualTo(ReleaseDecision.Kind.STAY);
        assertThat(protectedNow(task)).isTrue();
        assertThat(protectionCalls()).isEqualTo(protectionCalls);
    }

    @Test
    void renewalOnItsOwnScheduleRenewsOnlyProtectionThatLapsesSoon() throws Exception {
        TestClock clock = new TestClock(Instant::now);
        long before = protectionCalls();
        PoolController pool = claimedAndTakenOver(clock);
        assertThat(protectionCalls() - before).as("the claim's protection, and a fresh one is not renewed").isEqualTo(1);
        long calls = protectionCalls();

        clock.advance(Duration.ofSeconds(50)); // 10 s left: within a quarter of its length
        pool.renewProtection().get(10, TimeUnit.SECONDS);
        eventually().until(() -> protectionCalls() == calls + 1);
        assertThat(registry.get("coscale.protection.renewals").tag("pool", "p").counter().count()).isEqualTo(1);
    }

    @Test
    void aRenewalOnItsWayIsNotSentAgainByARenewalRunThatComesMeanwhile() throws Exception {
        TestClock clock = new TestClock(Instant::now);
        PoolController pool = claimedAndTakenOver(clock);
        long calls = protectionCalls();
        clock.advance(Duration.ofSeconds(50)); // 10 s left: due for renewal
        ecs.emulator.faults().set("UpdateTaskProtection", new FaultInjector.Fault(Duration.ofSeconds(1), 0, null));

        // The schedule's run and, say, a take-over's adoption, while the first renewal waits for ECS.
        pool.renewProtection().get(10, TimeUnit.SECONDS);
        pool.renewProtection().get(10, TimeUnit.SECONDS);

        assertThat(registry.get("coscale.protection.renewals").tag("pool", "p").counter().count()).isEqualTo(1);
        eventually().until(() -> protectionCalls() == calls + 1);
        ecs.emulator.faults().clear();
    }

    @Test
    void jobsSubmittedWhileAnExitLowersTheCountRaiseItAgainWithoutWaitingForAReconcile() throws Exception {
        PoolController pool = controller(5, Mode.PROTECT);
        String task = firstOf(2);
        pool.claim(task, null).get(10, TimeUnit.SECONDS);
        CountDownLatch lowering = new CountDownLatch(1);
        ecs.emulator.addCallListener((action, request, nanos) -> {
            if (action.equals("UpdateService") && request.path("desiredCount").asInt(-1) == 1) {
                lowering.countDown();
            }
        });
        ecs.emulator.faults().set("UpdateService", new FaultInjector.Fault(Duration.ofMillis(300), 0, null));

        CompletableFuture<ReleaseDecision> release = pool.release(TestContexts.task(task));
        assertThat(lowering.await(10, TimeUnit.SECONDS)).isTrue();
        pool.submitted(2); // the count is still 2 for them: no scale-up queued yet
        assertThat(release.get(10, TimeUnit.SECONDS).desiredCount()).isEqualTo(1);

        eventually().until(() -> ecs.service(SERVICE).desiredCount() == 2); // no reconciler runs in this test
    }

    @Test
    void aClaimIsAnsweredAtOnceWhileAnotherTasksReleaseWaitsForAnExhaustedUpdateServiceBudget() throws Exception {
        ctx.threads().shutdown();
        EcsBudget budget = new EcsBudget(new TokenBucket(1, 0.05), "coscale-budget"); // one call, then one per 20 s
        ctx = context(Duration.ZERO, Clock.systemUTC(), budget);
        PoolController pool = controller(5, Mode.PROTECT);
        ecs.setDesiredCount(SERVICE, 3);
        ecs.awaitCounts(SERVICE, 3, 0);
        List<String> tasks = ecs.activeTasks(SERVICE).stream().map(Task::taskArn).toList();
        pool.claim(tasks.get(0), null).get(10, TimeUnit.SECONDS);
        assertThat(pool.release(TestContexts.task(tasks.get(0))).get(10, TimeUnit.SECONDS).desiredCount()).isEqualTo(2); // the token
        pool.claim(tasks.get(1), null).get(10, TimeUnit.SECONDS);

        CompletableFuture<ReleaseDecision> waiting = pool.release(TestContexts.task(tasks.get(1))); // needs a token: ~20 s away
        eventually().until(() -> budget.waiting() == 1);
        long start = System.nanoTime();
        ClaimResult claim = pool.claim(tasks.get(2), null).get(10, TimeUnit.SECONDS);
        long millis = (System.nanoTime() - start) / 1_000_000;

        assertThat(claim.isProtected()).isTrue();
        assertThat(millis).as("the claim did not queue behind the release's budget wait").isLessThan(5_000);
        assertThat(waiting).isNotDone();
    }

    @Test
    void aStaleServiceReadAfterCoscalesOwnScaleUpDoesNotOverrideIt() throws Exception {
        ctx.threads().shutdown();
        ctx = context(Duration.ofSeconds(5));
        PoolController pool = controller(5, Mode.PROTECT);
        ServiceState before = new EcsGateway(ecs.ecs).describeServices(EcsEmulatorFixture.CLUSTER, List.of(SERVICE)).get(0);
        pool.submitted(3);
        eventually().until(() -> ecs.service(SERVICE).desiredCount() == 3);
        eventually().until(() -> Integer.valueOf(3).equals(pool.currentDesired()));
        long calls = updateServiceCalls();

        // A read that began after the write but answered from a replica that has not seen it yet.
        pool.reconcile(before, new QueueGateway(sqs).depth(queueUrl), System.nanoTime(), pool.submissionMark())
                .get(10, TimeUnit.SECONDS);

        assertThat(before.desiredCount()).isZero();
        assertThat(pool.status().desiredCount()).isEqualTo(3);
        assertThat(updateServiceCalls()).as("nothing re-raised: the stale 0 was never believed").isEqualTo(calls);
    }

    @Test
    void aTaskEcsDoesNotKnowYetIsAskedAboutAgainInsteadOfRefused() throws Exception {
        PoolController pool = controller(5, Mode.PROTECT);
        TaskResolver resolver = new TaskResolver(ctx, () -> List.of(pool), Duration.ofSeconds(2), Duration.ofSeconds(4));
        ecs.emulator.faults().staleReads(Duration.ofSeconds(2));
        ecs.setDesiredCount(SERVICE, 2);
        // ListTasks is not among the stale reads (DescribeTasks is): the ARNs of the tasks just placed.
        AtomicReference<List<String>> placed = new AtomicReference<>(List.of());
        eventually().until(() -> {
            placed.set(ecs.ecs.listTasks(r -> r.cluster(EcsEmulatorFixture.CLUSTER).serviceName(SERVICE)).taskArns());
            return placed.get().size() == 2;
        });

        for (String task : placed.get()) {
            assertThat(resolver.resolve(task, java.util.Optional.empty()).get(10, TimeUnit.SECONDS).pool()).isSameAs(pool);
        }
        String forged = placed.get().get(0).replaceAll("[0-9a-f]{32}$", "0".repeat(32));
        assertThatThrownBy(() -> resolver.resolve(forged, java.util.Optional.empty()).get(10, TimeUnit.SECONDS))
                .hasCauseInstanceOf(TaskRejectedException.class);
    }

    @Test
    void exitHalfDoneLeavesNoBusyTaskUnprotected() throws Exception {
        PoolController pool = controller(5, Mode.PROTECT);
        String task = firstOf(2);
        assertThat(pool.claim(task, null).get(10, TimeUnit.SECONDS).isProtected()).isTrue();
        // The unprotect reaches ECS and is applied, but its answer is a 500: the release fails, ECS has unprotected.
        releaseFailsUnder(pool, task, "UpdateTaskProtection", new FaultInjector.Fault(Duration.ZERO, 0, null, 1.0, 0));
        assertThat(protectedNow(task)).as("ECS applied the unprotect").isFalse();
        long calls = protectionCalls();

        // A job arrives and the worker claims it.
        ClaimResult claim = pool.claim(task, null).get(10, TimeUnit.SECONDS);

        assertThat(claim.isProtected()).isTrue();
        assertThat(protectionCalls()).as("the claim re-asserted the protection with ECS").isEqualTo(calls + 1);
        assertThat(protectedNow(task)).isTrue();
    }

    @Test
    void exitHalfDoneIsReassertedBeforeTheRetriedReleaseSaysContinue() throws Exception {
        PoolController pool = controller(5, Mode.PROTECT);
        String task = firstOf(2);
        pool.claim(task, null).get(10, TimeUnit.SECONDS);
        releaseFailsUnder(pool, task, "UpdateTaskProtection", new FaultInjector.Fault(Duration.ZERO, 0, null, 1.0, 0));
        assertThat(protectedNow(task)).isFalse();

        // A job arrives: the retried release says continue, and the worker goes on working.
        sqs.sendMessage(b -> b.queueUrl(queueUrl).messageBody("{}"));
        ReleaseDecision retried = pool.release(TestContexts.task(task)).get(10, TimeUnit.SECONDS);

        assertThat(retried.kind()).isEqualTo(ReleaseDecision.Kind.CONTINUE);
        assertThat(protectedNow(task)).as("protection re-asserted before the answer").isTrue();
        assertThat(pool.claim(task, null).get(10, TimeUnit.SECONDS).isProtected()).isTrue();
    }

    /**
     * UpdateTaskProtection answers MISSING: ECS does not find the task (gone, or not yet visible). The claim is not
     * answered protected (503, the worker retries) and the task is not counted busy on its word.
     */
    @Test
    void aClaimOfATaskEcsDoesNotFindIsNotAnsweredProtectedNorCountedBusy() throws Exception {
        PoolController pool = controller(5, Mode.PROTECT);
        String unknown = firstOf(1).replaceAll("[0-9a-f]{32}$", "0123456789abcdef0123456789abcdef");

        assertThatThrownBy(() -> pool.claim(unknown, null).get(10, TimeUnit.SECONDS))
                .hasCauseInstanceOf(io.coscale.aws.AwsCallException.class).hasMessageContaining("MISSING");
        assertThat(pool.status().busyTasks()).isZero();
        assertThat(pool.status().protectedTasks()).isZero();
    }

    @Test
    void exitHalfDoneAfterTheUnprotectIsReassertedByTheNextClaim() throws Exception {
        PoolController pool = controller(5, Mode.PROTECT);
        // The unprotect is answered; the exit record is refused (throttled, so surely not applied): the release fails
        // with the task unprotected.
        String task = claimedTaskWhoseExitRecordFails(pool, "ThrottlingException");
        assertThat(protectedNow(task)).isFalse();
        long calls = protectionCalls();

        ClaimResult claim = pool.claim(task, null).get(10, TimeUnit.SECONDS);

        assertThat(claim.isProtected()).isTrue();
        assertThat(protectionCalls()).as("the claim asked ECS").isEqualTo(calls + 1);
        assertThat(protectedNow(task)).isTrue();
        assertThat(ecs.service(SERVICE).desiredCount()).isEqualTo(2);
    }

    /**
     * An exit record answered 500 may be on the task: the exit is kept, never decided again. A claim meanwhile protects
     * nothing (it tells the task to drain), and the retried release writes the same record again, lowers the count once
     * and answers the exit, though a job arrived meanwhile.
     */
    @Test
    void anExitRecordAnswered500IsRecordedAgainAndFinishedByTheRetriedRelease() throws Exception {
        PoolController pool = controller(5, Mode.PROTECT);
        String task = claimedTaskWhoseExitRecordFails(pool, "ServerException");

        ClaimResult claim = pool.claim(task, null).get(10, TimeUnit.SECONDS);
        assertThat(claim.isProtected()).as("the exit is kept").isFalse();
        assertThat(claim.drain()).isTrue();
        sqs.sendMessage(b -> b.queueUrl(queueUrl).messageBody("{}"));
        ReleaseDecision retried = pool.release(TestContexts.task(task)).get(10, TimeUnit.SECONDS);

        assertThat(retried.kind()).isEqualTo(ReleaseDecision.Kind.EXIT);
        assertThat(retried.desiredCount()).isEqualTo(1);
        assertThat(ecs.service(SERVICE).desiredCount()).isEqualTo(1);
        assertThat(ecs.ecs.listTagsForResource(r -> r.resourceArn(task)).tags())
                .anySatisfy(t -> assertThat(t.key() + "=" + t.value()).isEqualTo(EcsGateway.EXIT_TAG + "=1"));
    }

    @Test
    void doubleDecrementOnOneLeaderIsNotMade() throws Exception {
        PoolController pool = controller(5, Mode.PROTECT);
        String task = firstOf(2);
        pool.claim(task, null).get(10, TimeUnit.SECONDS);
        // The tag is written; UpdateService is applied but its answer dropped (a write that may have landed is not
        // sent again).
        releaseFailsUnder(pool, task, "UpdateService", new FaultInjector.Fault(Duration.ZERO, 0, null, 0, 1.0));
        assertThat(ecs.service(SERVICE).desiredCount()).as("the dropped write was applied").isEqualTo(1);
        // A reconcile adopts the lowered count (the first call after a dropped connection may meet it closed).
        eventually().ignoreExceptions().until(() -> {
            reconcileOnce(pool);
            return true;
        });
        long calls = updateServiceCalls();

        // The retry, served the task as read before the exit record (a cached DescribeTasks).
        ReleaseDecision retried = pool.release(TestContexts.task(task)).get(10, TimeUnit.SECONDS);

        assertThat(retried.kind()).isEqualTo(ReleaseDecision.Kind.EXIT);
        assertThat(retried.desiredCount()).isEqualTo(1);
        assertThat(updateServiceCalls()).as("no second decrement").isEqualTo(calls);
        assertThat(ecs.service(SERVICE).desiredCount()).isEqualTo(1);
    }

    @Test
    void protectionIsTakenOverByAPoolWhoseReadsKeepFailing() throws Exception {
        PoolController before = protectPool(2, 5, 120);
        String task = firstOf(2);
        before.claim(task, null).get(10, TimeUnit.SECONDS);
        // The pool's reconcile reads fail: the reconciler never hands it a step.
        ecs.emulator.faults().set("DescribeServices", new FaultInjector.Fault(Duration.ZERO, 1.0, "ServerException"));

        PoolController restarted = new PoolController(before.pool(), ctx);
        restarted.renewProtection().get(10, TimeUnit.SECONDS); // the renewal's own schedule

        eventually().until(restarted::protectionTakenOver);
        assertThat(restarted.status().protectedTasks()).isEqualTo(1);
    }

    @Test
    void eventReasonsCountInTheRightGrammaticalNumber() {
        PoolController pool = controller(5, Mode.PROTECT);

        pool.submitted(1);
        eventually().until(() -> ecs.service(SERVICE).desiredCount() == 1);
        pool.submitted(2);
        eventually().until(() -> ecs.service(SERVICE).desiredCount() == 3);

        // Awaited: ECS applies the write before it answers, and the event is added with the answer.
        eventually().untilAsserted(() -> assertThat(pool.events().newest(10))
                .filteredOn(e -> e.kind() == io.coscale.domain.Event.Kind.SCALE_UP)
                .extracting(io.coscale.domain.Event::reason)
                .containsExactly("3 jobs outstanding", "1 job outstanding"));
    }

    /** The task's release, with {@code fault} on {@code action} while it runs: it fails (503 to the worker). */
    /** The first of two tasks, claimed, whose release's exit record (TagResource) failed with {@code errorType}. */
    private String claimedTaskWhoseExitRecordFails(PoolController pool, String errorType) throws Exception {
        String task = firstOf(2);
        pool.claim(task, null).get(10, TimeUnit.SECONDS);
        releaseFailsUnder(pool, task, "TagResource", new FaultInjector.Fault(Duration.ZERO, 1.0, errorType));
        return task;
    }

    private void releaseFailsUnder(PoolController pool, String task, String action, FaultInjector.Fault fault) {
        ecs.emulator.faults().set(action, fault);
        assertThatThrownBy(() -> pool.release(TestContexts.task(task)).get(20, TimeUnit.SECONDS));
        ecs.emulator.faults().clear();
    }

    private void reconcileOnce(PoolController pool) throws Exception {
        long at = System.nanoTime();
        long mark = pool.submissionMark();
        pool.reconcile(new EcsGateway(ecs.ecs).describeServices(EcsEmulatorFixture.CLUSTER, List.of(SERVICE)).get(0),
                new QueueGateway(sqs).depth(queueUrl), at, mark).get(10, TimeUnit.SECONDS);
    }

    private long protectionCalls() {
        return ecs.emulator.stats().snapshot().apiCalls("UpdateTaskProtection");
    }

    private boolean protectedNow(String taskArn) {
        return ecs.ecs.getTaskProtection(b -> b.cluster(EcsEmulatorFixture.CLUSTER).tasks(taskArn))
                .protectedTasks().get(0).protectionEnabled();
    }

    /** Every desiredCount an UpdateService asks ECS for from now on, in order; and how many TagResource calls came. */
    private record EcsWritesSeen(java.util.Queue<Integer> desiredCounts, java.util.concurrent.atomic.AtomicInteger tags) {
    }

    private EcsWritesSeen watchWrites() {
        EcsWritesSeen seen = new EcsWritesSeen(new java.util.concurrent.ConcurrentLinkedQueue<>(),
                new java.util.concurrent.atomic.AtomicInteger());
        ecs.emulator.addCallListener(new io.coscale.local.ecs.CallListener() {
            @Override
            public void received(String action, com.fasterxml.jackson.databind.JsonNode request, long receivedNanos) {
                if (action.equals("UpdateService") && request.has("desiredCount")) {
                    seen.desiredCounts().add(request.get("desiredCount").asInt());
                } else if (action.equals("TagResource")) {
                    seen.tags().incrementAndGet();
                }
            }

            @Override
            public void answered(String action) {
            }
        });
        return seen;
    }

    private List<String> running(int count) {
        ecs.setDesiredCount(SERVICE, count);
        ecs.awaitCounts(SERVICE, count, 0);
        return ecs.activeTasks(SERVICE).stream().map(Task::taskArn).toList();
    }

    @Test
    void concurrentExitsAreDecidedOneBelowAnotherAndLoweredInAFewMergedWrites() throws Exception {
        PoolController pool = protectPool(2, 10, 120);
        List<String> tasks = running(8);
        for (String task : tasks) {
            pool.claim(task, null).get(10, TimeUnit.SECONDS);
        }
        EcsWritesSeen seen = watchWrites();

        List<CompletableFuture<ReleaseDecision>> releases = tasks.stream()
                .map(task -> pool.release(TestContexts.task(task))).toList();
        List<ReleaseDecision> answers = new java.util.ArrayList<>();
        for (CompletableFuture<ReleaseDecision> release : releases) {
            answers.add(release.get(20, TimeUnit.SECONDS));
        }

        // From 8 to minTasks 2: six exits lower the count, each decided from the heading the ones before it leave;
        // the last two stay.
        assertThat(answers).filteredOn(ReleaseDecision::lowersCount).extracting(ReleaseDecision::desiredCount)
                .containsExactlyInAnyOrder(7, 6, 5, 4, 3, 2);
        assertThat(ecs.service(SERVICE).desiredCount()).isEqualTo(2);
        assertThat(seen.desiredCounts()).as("the decrements merged, each counted once").hasSizeBetween(1, 5)
                .last().isEqualTo(2);
        for (int i = 0; i < tasks.size(); i++) {
            if (answers.get(i).lowersCount()) {
                assertThat(pool.release(TestContexts.task(tasks.get(i))).get(10, TimeUnit.SECONDS)).isEqualTo(answers.get(i));
            }
        }
        assertThat(ecs.service(SERVICE).desiredCount()).as("a repeated release lowers nothing").isEqualTo(2);
    }

    /**
     * A release whose exit record waits a second, and meanwhile {@code jobs} jobs arrive: counted from the heading 2
     * the pending exit leaves, the raise replaces the exiting task. Three jobs need the 3 ECS already holds: nothing is
     * written (the target plus the pending decrement would have been 4); five are written as 5, not 6.
     */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.CsvSource({"3, 3, ''", "5, 5, 5"})
    void aRaiseWhileAnExitIsPendingAbsorbsItInsteadOfWritingItsTargetPlusTheDecrement(int jobs, int count,
            String writes) throws Exception {
        PoolController pool = protectPool(0, 10, 120);
        String task = running(3).get(0);
        EcsWritesSeen seen = watchWrites();
        CompletableFuture<ReleaseDecision> exit = releaseWhoseRecordWaits(pool, task, seen);
        for (int i = 0; i < jobs; i++) {
            sqs.sendMessage(b -> b.queueUrl(queueUrl).messageBody("job"));
        }
        pool.submitted(jobs);

        assertThat(exit.get(20, TimeUnit.SECONDS).kind()).isEqualTo(ReleaseDecision.Kind.EXIT);
        ecs.emulator.faults().clear();
        assertThat(ecs.service(SERVICE).desiredCount()).isEqualTo(count);
        assertThat(seen.desiredCounts()).containsExactlyElementsOf(
                writes.isEmpty() ? List.of() : List.of(Integer.parseInt(writes)));
        if (!writes.isEmpty()) {
            // The raise's event is added once its write is answered, just after the exit it took with it.
            eventually().untilAsserted(() -> assertThat(pool.events().newest(10))
                    .anySatisfy(e -> assertThat(e.reason()).contains("1 exiting task replaced")));
        }
    }

    /** Releases {@code task} with its exit record (TagResource) held a second by ECS; returns once ECS received it. */
    private CompletableFuture<ReleaseDecision> releaseWhoseRecordWaits(PoolController pool, String task,
            EcsWritesSeen seen) {
        ecs.emulator.faults().set("TagResource", new FaultInjector.Fault(Duration.ofSeconds(1), 0, null));
        CompletableFuture<ReleaseDecision> release = pool.release(TestContexts.task(task));
        eventually().until(() -> seen.tags().get() == 1);
        return release;
    }

    /**
     * A release repeated while its exit is carried out (its record waits a second; a worker whose call timed out
     * retries) joins the same answer: it neither decides again nor finishes the recorded exit with a write of its own.
     */
    @Test
    void aReleaseRepeatedWhileItsExitIsCarriedOutGetsTheSameAnswerAndLowersOnce() throws Exception {
        PoolController pool = protectPool(0, 10, 120);
        String task = running(3).get(0);
        EcsWritesSeen seen = watchWrites();
        CompletableFuture<ReleaseDecision> first = releaseWhoseRecordWaits(pool, task, seen);
        CompletableFuture<ReleaseDecision> again = pool.release(TestContexts.task(task));

        ReleaseDecision answer = first.get(20, TimeUnit.SECONDS);
        assertThat(again.get(20, TimeUnit.SECONDS)).isEqualTo(answer);
        ecs.emulator.faults().clear();
        assertThat(answer.desiredCount()).isEqualTo(2);
        assertThat(seen.tags()).as("one record").hasValue(1);
        assertThat(seen.desiredCounts()).as("one decrement").containsExactly(2);
        assertThat(ecs.service(SERVICE).desiredCount()).isEqualTo(2);
    }

    @Test
    void aMergedWriteThatFailedLeavesEachExitToBeFinishedOnceByItsRetriedRelease() throws Exception {
        PoolController pool = protectPool(0, 10, 120);
        List<String> tasks = running(4);
        ecs.emulator.faults().set("TagResource", new FaultInjector.Fault(Duration.ofSeconds(1), 0, null));
        ecs.emulator.faults().set("UpdateService", new FaultInjector.Fault(Duration.ZERO, 1, "AccessDeniedException"));
        CompletableFuture<ReleaseDecision> first = pool.release(TestContexts.task(tasks.get(0)));
        CompletableFuture<ReleaseDecision> second = pool.release(TestContexts.task(tasks.get(1)));
        assertThatThrownBy(() -> first.get(20, TimeUnit.SECONDS));
        assertThatThrownBy(() -> second.get(20, TimeUnit.SECONDS));
        ecs.emulator.faults().clear();
        assertThat(ecs.service(SERVICE).desiredCount()).isEqualTo(4);

        // Recorded as 3 and 2; retried in that order, each lowers the count by one, never more.
        assertThat(pool.release(TestContexts.task(tasks.get(0))).get(10, TimeUnit.SECONDS).desiredCount()).isEqualTo(3);
        assertThat(pool.release(TestContexts.task(tasks.get(1))).get(10, TimeUnit.SECONDS).desiredCount()).isEqualTo(2);
        assertThat(ecs.service(SERVICE).desiredCount()).isEqualTo(2);
        assertThat(pool.release(TestContexts.task(tasks.get(1))).get(10, TimeUnit.SECONDS).desiredCount()).isEqualTo(2);
        assertThat(ecs.service(SERVICE).desiredCount()).as("a repeated release lowers nothing").isEqualTo(2);
    }
}
