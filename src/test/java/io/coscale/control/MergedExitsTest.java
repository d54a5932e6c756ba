package io.coscale.control;

import static io.coscale.local.ecs.EcsEmulatorFixture.eventually;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.coscale.aws.EcsGateway;
import io.coscale.aws.QueueGateway;
import io.coscale.concurrent.TokenBucket;
import io.coscale.control.budget.EcsBudget;
import io.coscale.control.budget.TaskReadBudget;
import io.coscale.domain.Mode;
import io.coscale.domain.Pool;
import io.coscale.domain.ReleaseDecision;
import io.coscale.lease.CountForwarding;
import io.coscale.lease.Leadership;
import io.coscale.local.LocalCloudTestResource;
import io.coscale.local.ecs.CallListener;
import io.coscale.local.ecs.EcsEmulatorFixture;
import io.coscale.local.ecs.FaultInjector;
import io.coscale.local.sqs.EmbeddedSqs;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ecs.model.Task;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * Exits merged into the pool's count changes, against the ECS emulator and embedded SQS: concurrent exits decided one
 * below another and lowered in a few writes; a raise while exits are pending absorbing them instead of writing its
 * target plus their decrements; a merged write that failed, each exit then finished once by its retried release.
 */
class MergedExitsTest {

    private static final String SERVICE = "workers";

    private EcsEmulatorFixture ecs;
    private EmbeddedSqs sqsServer;
    private SqsClient sqs;
    private ControlContext ctx;
    private String queueUrl;
    /** Every desiredCount an UpdateService asked for, in order. */
    private final Queue<Integer> written = new ConcurrentLinkedQueue<>();
    private final AtomicInteger tagsReceived = new AtomicInteger();

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
        ctx = ControlContext.create(new EcsGateway(ecs.ecs), new QueueGateway(sqs),
                new EcsBudget(new TokenBucket(50, 5), "coscale-budget"),
                new TaskReadBudget(new TokenBucket(50, 15), 25, Duration.ofSeconds(10)),
                new EcsBudget(new TokenBucket(20, 10), "coscale-tag-budget"), ControlThreads.create(2, 4, 4),
                Clock.systemUTC(), Duration.ofMillis(100), Duration.ofSeconds(2), 100, Duration.ZERO,
                new ControlMetrics(new SimpleMeterRegistry()), Leadership.ALONE, CountForwarding.NONE);
        ecs.emulator.addCallListener(new CallListener() {
            @Override
            public void received(String action, JsonNode request, long receivedNanos) {
                if (action.equals("UpdateService") && request.has("desiredCount")) {
                    written.add(request.get("desiredCount").asInt());
                } else if (action.equals("TagResource")) {
                    tagsReceived.incrementAndGet();
                }
            }

            @Override
            public void answered(String action) {
            }
        });
    }

    @AfterEach
    void tearDown() {
        ctx.threads().shutdown();
        sqs.close();
        sqsServer.close();
        ecs.close();
    }

    private PoolController pool(int min, int running) {
        ecs.setDesiredCount(SERVICE, running);
        ecs.awaitCounts(SERVICE, running, 0);
        written.clear();
        return new PoolController(new Pool("p", EcsEmulatorFixture.CLUSTER, SERVICE, queueUrl, min, 10, Mode.PROTECT,
                1, 120, Duration.ofSeconds(60)), ctx);
    }

    private List<String> tasks() {
        return ecs.activeTasks(SERVICE).stream().map(Task::taskArn).toList();
    }

    private static List<ReleaseDecision> answers(List<CompletableFuture<ReleaseDecision>> releases) throws Exception {
        List<ReleaseDecision> answers = new java.util.ArrayList<>();
        for (CompletableFuture<ReleaseDecision> release : releases) {
            answers.add(release.get(20, TimeUnit.SECONDS));
        }
        return answers;
    }

    @Test
    void concurrentExitsAreDecidedOneBelowAnotherAndLoweredInAFewMergedWrites() throws Exception {
        PoolController pool = pool(2, 8);
        List<String> tasks = tasks();
        for (String task : tasks) {
            pool.claim(task, null).get(10, TimeUnit.SECONDS);
        }

        List<ReleaseDecision> answers = answers(tasks.stream().map(task -> pool.release(TestContexts.task(task))).toList());

        // From 8 to minTasks 2: six exits lower the count, each decided from the heading the ones before it leave;
        // the last two stay.
        assertThat(answers).filteredOn(ReleaseDecision::lowersCount).extracting(ReleaseDecision::desiredCount)
                .containsExactlyInAnyOrder(7, 6, 5, 4, 3, 2);
        assertThat(ecs.service(SERVICE).desiredCount()).isEqualTo(2);
        assertThat(written).as("the decrements merged, each counted once").hasSizeBetween(1, 5).last().isEqualTo(2);
        for (int i = 0; i < tasks.size(); i++) {
            if (answers.get(i).lowersCount()) {
                assertThat(pool.release(TestContexts.task(tasks.get(i))).get(10, TimeUnit.SECONDS)).isEqualTo(answers.get(i));
            }
        }
        assertThat(ecs.service(SERVICE).desiredCount()).as("a repeated release lowers nothing").isEqualTo(2);
    }

    /** Releases the first task while its exit record waits a second, and meanwhile {@code jobs} jobs arrive. */
    private CompletableFuture<ReleaseDecision> exitWhileJobsArrive(PoolController pool, int jobs) {
        ecs.emulator.faults().set("TagResource", new FaultInjector.Fault(Duration.ofSeconds(1), 0, null));
        CompletableFuture<ReleaseDecision> exit = pool.release(TestContexts.task(tasks().get(0)));
        eventually().until(() -> tagsReceived.get() == 1);
        for (int i = 0; i < jobs; i++) {
            sqs.sendMessage(b -> b.queueUrl(queueUrl).messageBody("job"));
        }
        pool.submitted(jobs);
        return exit;
    }

    @Test
    void aRaiseWhileAnExitIsPendingAbsorbsItInsteadOfWritingItsTargetPlusTheDecrement() throws Exception {
        PoolController pool = pool(0, 3);

        // Three jobs need three tasks: counted from the heading 2 the exit leaves, the raise to 3 replaces the exiting
        // task, and ECS already holds 3: nothing is written.
        CompletableFuture<ReleaseDecision> exit = exitWhileJobsArrive(pool, 3);

        assertThat(exit.get(20, TimeUnit.SECONDS).kind()).isEqualTo(ReleaseDecision.Kind.EXIT);
        ecs.emulator.faults().clear();
        assertThat(ecs.service(SERVICE).desiredCount()).isEqualTo(3);
        assertThat(written).as("no write: the target plus the pending decrement would have been 4").isEmpty();
    }

    @Test
    void aRaiseAboveAPendingExitWritesItsTargetOnce() throws Exception {
        PoolController pool = pool(0, 3);

        CompletableFuture<ReleaseDecision> exit = exitWhileJobsArrive(pool, 5);

        assertThat(exit.get(20, TimeUnit.SECONDS).kind()).isEqualTo(ReleaseDecision.Kind.EXIT);
        ecs.emulator.faults().clear();
        assertThat(written).as("the target, not 6").containsExactly(5);
        assertThat(pool.events().newest(10)).anySatisfy(e -> assertThat(e.reason()).contains("1 exiting task replaced"));
    }

    @Test
    void aMergedWriteThatFailedLeavesEachExitToBeFinishedOnceByItsRetriedRelease() throws Exception {
        PoolController pool = pool(0, 4);
        List<String> tasks = tasks();
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
