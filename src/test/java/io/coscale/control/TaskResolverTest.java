package io.coscale.control;

import static org.assertj.core.api.Assertions.assertThat;

import io.coscale.aws.EcsGateway;
import io.coscale.domain.Mode;
import io.coscale.domain.Pool;
import io.coscale.local.ecs.EcsEmulatorFixture;
import io.coscale.local.ecs.FaultInjector;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The task lookups behind claims and releases, against the ECS emulator: an answer serves for its TTL; in the second
 * half of it, it still serves at once and is asked again in the background, once however many lookups come. The
 * cache's clock is moved by hand: no test waits out a TTL.
 */
class TaskResolverTest {

    private static final String SERVICE = "workers";
    private static final Duration TTL = Duration.ofSeconds(4);

    private EcsEmulatorFixture ecs;
    private ControlContext ctx;
    private TaskResolver resolver;
    /** The resolver's monotonic clock, in nanoseconds. */
    private final AtomicLong now = new AtomicLong();

    @BeforeEach
    void setUp() {
        ecs = EcsEmulatorFixture.start(20, EcsEmulatorFixture.idleRunner());
        ecs.setUpCluster(1, Map.of());
        ecs.createService(SERVICE, 0);
        // The resolver asks SQS nothing.
        ctx = TestContexts.standard(new EcsGateway(ecs.ecs), null, new ControlMetrics(new SimpleMeterRegistry()));
        PoolController pool = new PoolController(new Pool("p", EcsEmulatorFixture.CLUSTER, SERVICE,
                "http://127.0.0.1:9/000000000000/jobs", 0, 5, Mode.PROTECT, 1, 60, Duration.ofSeconds(60)), ctx);
        resolver = new TaskResolver(ctx, () -> List.of(pool), TTL, Duration.ZERO, now::get);
    }

    @AfterEach
    void tearDown() {
        ctx.threads().shutdown();
        ecs.close();
    }

    @Test
    void anAnswerInTheSecondHalfOfItsTtlServesAtOnceAndIsAskedAgainOnceInTheBackground() throws Exception {
        String task = running();
        resolve(task, 10_000);
        long afterFirst = calls();
        resolve(task, 10_000);
        assertThat(calls()).as("a fresh answer serves without asking ECS").isEqualTo(afterFirst);

        // ECS now answers in 3 s: a lookup that waited for it would not be answered within 1 s.
        ecs.emulator.faults().set("DescribeTasks", new FaultInjector.Fault(Duration.ofSeconds(3), 0, null));
        advance(TTL.dividedBy(2).plusMillis(100));
        for (int i = 0; i < 5; i++) {
            assertThat(resolve(task, 1_000).task().isLive()).isTrue();
        }
        awaitCalls(afterFirst + 1);
        Thread.sleep(200);
        assertThat(calls()).as("five lookups, one background read").isEqualTo(afterFirst + 1);
    }

    @Test
    void aTaskStoppedMeanwhileIsRefusedOnceTheBackgroundReadHasSeenItBeforeTheTtlRunsOut() throws Exception {
        String task = running();
        resolve(task, 10_000);
        advance(TTL.dividedBy(2).plusMillis(100));
        ecs.ecs.stopTask(r -> r.cluster(EcsEmulatorFixture.CLUSTER).task(task).reason("test"));

        assertThat(resolve(task, 1_000).task().isLive()).as("the cached answer still serves").isTrue();
        Optional<Throwable> refused = Optional.empty();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5); // real time for ECS to answer; the cache's stands still
        while (refused.isEmpty() && System.nanoTime() - deadline < 0) {
            try {
                resolver.resolve(task, Optional.empty()).get(1, TimeUnit.SECONDS);
                Thread.sleep(20);
            } catch (ExecutionException e) {
                refused = Optional.of(e.getCause());
            }
        }
        assertThat(refused).as("refused before the first answer's TTL ran out").isPresent();
        assertThat(refused.get()).isInstanceOf(TaskRejectedException.class).hasMessageContaining("not a PENDING or RUNNING");
    }

    private String running() {
        ecs.setDesiredCount(SERVICE, 1);
        ecs.awaitCounts(SERVICE, 1, 0);
        return ecs.activeTasks(SERVICE).get(0).taskArn();
    }

    private WorkerTask resolve(String task, long timeoutMillis) throws Exception {
        return resolver.resolve(task, Optional.of("p")).get(timeoutMillis, TimeUnit.MILLISECONDS);
    }

    private long calls() {
        return ecs.emulator.stats().snapshot().apiCalls("DescribeTasks");
    }

    private void awaitCalls(long expected) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (calls() < expected && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(calls()).isEqualTo(expected);
    }

    private void advance(Duration by) {
        now.addAndGet(by.toNanos());
    }
}
