package io.coscale.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.coscale.aws.EcsGateway;
import io.coscale.aws.QueueGateway;
import io.coscale.domain.Arns;
import io.coscale.domain.Event;
import io.coscale.domain.Mode;
import io.coscale.domain.Pool;
import io.coscale.domain.ReleaseDecision;
import io.coscale.domain.TaskStop;
import io.coscale.local.LocalCloudTestResource;
import io.coscale.local.ecs.EcsEmulatorFixture;
import io.coscale.local.ecs.Interruption;
import io.coscale.local.sqs.EmbeddedSqs;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * A pool's reconcile against the ECS emulator and embedded SQS: a task ECS stopped for its own reasons is noticed,
 * forgotten, reported once (event, metric, status) and changes no count; a task coscale let exit is not reported;
 * a converged pool asks ECS nothing about its tasks.
 */
class TaskStoppedTest {

    private static final String SERVICE = "workers";

    private EcsEmulatorFixture ecs;
    private EmbeddedSqs sqsServer;
    private SqsClient sqs;
    private ControlContext ctx;
    private String queueUrl;
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private PoolController pool;

    @BeforeEach
    void setUp() {
        ecs = EcsEmulatorFixture.start(20, EcsEmulatorFixture.idleRunner());
        ecs.setUpCluster(1, Map.of());
        ecs.createService(SERVICE, 0);
        sqsServer = EmbeddedSqs.start(LocalCloudTestResource.freePort(), "us-east-1");
        sqs = SqsClient.builder().endpointOverride(URI.create(sqsServer.endpoint())).region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("t", "t")))
                .httpClient(UrlConnectionHttpClient.create()).build();
        queueUrl = sqs.createQueue(b -> b.queueName("jobs")).queueUrl();
        ControlMetrics metrics = new ControlMetrics(registry);
        ctx = TestContexts.standard(new EcsGateway(ecs.ecs), new QueueGateway(sqs), metrics);
        pool = new PoolController(new Pool("p", EcsEmulatorFixture.CLUSTER, SERVICE, queueUrl, 0, 5, Mode.PROTECT, 1, 60,
                Duration.ofSeconds(60)), ctx);
        metrics.register(pool);
    }

    @AfterEach
    void tearDown() {
        ctx.threads().shutdown();
        sqs.close();
        sqsServer.close();
        ecs.close();
    }

    private List<String> running(int count) {
        ecs.setDesiredCount(SERVICE, count);
        ecs.awaitCounts(SERVICE, count, 0);
        return ecs.activeTasks(SERVICE).stream().map(t -> t.taskArn()).toList();
    }

    private void reconcileOnce() throws Exception {
        long at = System.nanoTime();
        long mark = pool.submissionMark();
        pool.reconcile(new EcsGateway(ecs.ecs).describeServices(EcsEmulatorFixture.CLUSTER, List.of(SERVICE)).get(0),
                new QueueGateway(sqs).depth(queueUrl), at, mark).get(10, TimeUnit.SECONDS);
    }

    private long calls(String action) {
        return ecs.emulator.stats().snapshot().apiCalls(action);
    }

    private double stoppedMetric(String stopCode) {
        return registry.get("coscale.tasks.stopped").tag("pool", "p").tag("stop_code", stopCode).counter().count();
    }

    private List<Event> taskStoppedEvents() {
        return pool.events().newest(100).stream().filter(e -> e.kind() == Event.Kind.TASK_STOPPED).toList();
    }

    @Test
    void aSpotInterruptedTaskIsReportedOnceAndChangesNoCount() throws Exception {
        List<String> tasks = running(2);
        reconcileOnce();
        pool.claim(tasks.get(0), null).get(10, TimeUnit.SECONDS);
        pool.claim(tasks.get(1), null).get(10, TimeUnit.SECONDS);
        reconcileOnce();
        assertThat(pool.status().protectedTasks()).isEqualTo(2);
        long updateServices = calls("UpdateService");

        ecs.emulator.interrupt(tasks.get(0), Interruption.SPOT_INTERRUPTION);
        ecs.awaitCounts(SERVICE, 2, 0);
        // The replacement claims before its first receive: coscale now knows one task more than ECS runs.
        String replacement = ecs.activeTasks(SERVICE).stream().map(t -> t.taskArn()).filter(a -> !tasks.contains(a))
                .findFirst().orElseThrow();
        pool.claim(replacement, null).get(10, TimeUnit.SECONDS);
        reconcileOnce();
        reconcileOnce();

        assertThat(taskStoppedEvents()).singleElement().satisfies(e -> {
            assertThat(e.reason()).contains(Arns.lastSegment(tasks.get(0))).contains("SpotInterruption")
                    .contains("Your Spot Task was interrupted.");
            assertThat(e.from()).isEqualTo(2).isEqualTo(e.to());
        });
        assertThat(stoppedMetric("SpotInterruption")).isEqualTo(1.0);
        assertThat(stoppedMetric("TerminationNotice")).as("registered at zero").isZero();
        PoolStatus status = pool.status();
        assertThat(status.stoppedTasks()).isEqualTo(Map.of("SpotInterruption", 1));
        assertThat(status.recentStops()).extracting(TaskStop::taskArn).containsExactly(tasks.get(0));
        assertThat(status.protectedTasks()).as("the stopped one forgotten: the other and the replacement").isEqualTo(2);
        assertThat(status.busyTasks()).isEqualTo(2);
        assertThat(calls("UpdateService")).as("ECS replaces the task; coscale changes no count").isEqualTo(updateServices);
        assertThat(ecs.service(SERVICE).desiredCount()).isEqualTo(2);
    }

    @Test
    void aClaimOfATaskECSWillNotProtectBecauseItStoppedIsRejectedAndChangesNothing() throws Exception {
        List<String> tasks = running(1);
        reconcileOnce();
        ecs.emulator.interrupt(tasks.get(0), Interruption.SPOT_INTERRUPTION);

        assertThatThrownBy(() -> pool.claim(tasks.get(0), null).get(10, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class).cause().isInstanceOf(TaskRejectedException.class)
                .hasMessageContaining("TASK_NOT_VALID");
        assertThat(pool.status().busyTasks()).as("a rejected claim marks nothing busy").isZero();
        assertThat(pool.status().protectedTasks()).isZero();

        // A task ECS does not know (yet: reads catch up late) is not rejected: ECS may know it a moment later.
        String unknown = tasks.get(0).substring(0, tasks.get(0).lastIndexOf('/') + 1) + "0123456789abcdef0123456789abcdef";
        assertThatThrownBy(() -> pool.claim(unknown, null).get(10, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class).cause().isNotInstanceOf(TaskRejectedException.class)
                .hasMessageContaining("MISSING");
    }

    @Test
    void anOutOfMemoryKillIsReportedWithTheContainersReason() throws Exception {
        List<String> tasks = running(1);
        reconcileOnce();
        pool.claim(tasks.get(0), null).get(10, TimeUnit.SECONDS);

        ecs.emulator.interrupt(tasks.get(0), Interruption.OUT_OF_MEMORY);
        reconcileOnce();

        assertThat(taskStoppedEvents()).singleElement().satisfies(e -> assertThat(e.reason())
                .contains("EssentialContainerExited").contains("OutOfMemoryError"));
        assertThat(pool.status().stoppedTasks()).isEqualTo(Map.of("EssentialContainerExited", 1));
    }

    @Test
    void aTaskCoscaleLetExitIsNotAnotherStop() throws Exception {
        List<String> tasks = running(2);
        reconcileOnce();
        pool.claim(tasks.get(0), null).get(10, TimeUnit.SECONDS);
        ReleaseDecision exit = pool.release(TestContexts.task(tasks.get(0))).get(10, TimeUnit.SECONDS);
        assertThat(exit.kind()).isEqualTo(ReleaseDecision.Kind.EXIT);
        // The worker exits; whichever task ECS stops for the lower count, the one coscale let go is not reported.
        ecs.ecs.stopTask(r -> r.cluster(EcsEmulatorFixture.CLUSTER).task(tasks.get(0)).reason("worker exited"));
        ecs.awaitCounts(SERVICE, 1, 0);
        reconcileOnce();

        assertThat(taskStoppedEvents()).isEmpty();
        assertThat(pool.status().stoppedTasks()).isEmpty();
        assertThat(stoppedMetric("UserInitiated")).isZero();
    }

    @Test
    void aConvergedPoolAsksEcsNothingAboutItsTasks() throws Exception {
        List<String> tasks = running(3);
        reconcileOnce();
        for (String task : tasks) {
            pool.claim(task, null).get(10, TimeUnit.SECONDS);
        }
        reconcileOnce();
        long describeTasks = calls("DescribeTasks");

        for (int i = 0; i < 5; i++) {
            reconcileOnce();
        }

        assertThat(calls("DescribeTasks")).isEqualTo(describeTasks);
        assertThat(taskStoppedEvents()).isEmpty();
    }
}
