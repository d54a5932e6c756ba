package io.coscale.local.ecs;

import static io.coscale.local.ecs.EcsEmulatorFixture.CLUSTER;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ecs.model.EcsException;
import software.amazon.awssdk.services.ecs.model.Tag;

/**
 * UpdateService is metered like ECS: a burst of 50, then 5 per second, answered with ThrottlingException; TagResource
 * (coscale's exit record) has its own bucket, 20 then 10 per second. The throttles tell time by a clock the test
 * moves, so a burst is as fast, and a pause as long, as the test says however busy the machine is.
 */
class ThrottlingTest {

    private static final String SERVICE = "svc";

    private EcsEmulatorFixture fx;
    /** The throttles' clock, in nanoseconds: it goes on from the real one and stands still until {@link #pass}. */
    private final AtomicLong nanos = new AtomicLong(System.nanoTime());

    @BeforeEach
    void start() {
        fx = EcsEmulatorFixture.start(2, EcsEmulatorFixture.idleRunner());
        fx.emulator.throttleClock(nanos::get);
        fx.setUpCluster(2, Map.of());
        fx.createService(SERVICE, 0);
        // Warm the client up on a read action (another bucket).
        for (int i = 0; i < 20; i++) {
            fx.service(SERVICE);
        }
        // CreateService spent a token of the service-modification bucket; a second brings it back.
        pass(Duration.ofSeconds(1));
    }

    @AfterEach
    void stop() {
        fx.close();
    }

    @Test
    void burstOfFiftyThenThrottlingThenRecovery() {
        Burst burst = burst(() -> fx.setDesiredCount(SERVICE, 0));

        assertNotNull(burst.throttled(), "no ThrottlingException after " + burst.succeeded() + " calls");
        assertEquals("ThrottlingException", burst.throttled().awsErrorDetails().errorCode());
        assertEquals(400, burst.throttled().statusCode());
        // No time passed during the burst: exactly the 50 of the burst succeed.
        assertEquals(50, burst.succeeded());
        assertTrue(fx.emulator.stats().snapshot().throttled() >= 1);

        // 5 per second: a fifth of a second brings back one call, and only one.
        pass(Duration.ofMillis(200));
        fx.setDesiredCount(SERVICE, 0);
        assertThrows(EcsException.class, () -> fx.setDesiredCount(SERVICE, 0));
        pass(Duration.ofSeconds(1));
        assertEquals(5, burst(() -> fx.setDesiredCount(SERVICE, 0)).succeeded());
    }

    @Test
    void throttledCallsAreCountedAndReadsHaveTheirOwnBucket() {
        long before = fx.emulator.stats().snapshot().throttled();
        int calls = 0;
        int throttled = 0;
        while (throttled < 3 && calls < 300) {
            calls++;
            try {
                fx.setDesiredCount(SERVICE, 0);
            } catch (EcsException e) {
                throttled++;
            }
        }

        assertEquals(3, throttled, "too few throttled in " + calls + " calls");
        assertEquals(53, calls);
        assertEquals(before + throttled, fx.emulator.stats().snapshot().throttled());
        assertEquals(calls, fx.emulator.stats().snapshot().apiCalls("UpdateService"));
        // Reads are not starved by the exhausted modification bucket.
        assertEquals(SERVICE, fx.service(SERVICE).serviceName());
    }

    @Test
    void tagsHaveTheirOwnBucketOfTwentyThenTenASecond() {
        fx.setDesiredCount(SERVICE, 1);
        String task = await().atMost(Duration.ofSeconds(10)).until(() -> fx.activeTasks(SERVICE), t -> !t.isEmpty())
                .get(0).taskArn();
        Runnable tag = () -> fx.ecs.tagResource(r -> r.resourceArn(task)
                .tags(Tag.builder().key("coscale:exit").value("0").build()));
        Burst burst = burst(tag);

        assertNotNull(burst.throttled(), "no ThrottlingException after " + burst.succeeded() + " TagResource calls");
        assertEquals("ThrottlingException", burst.throttled().awsErrorDetails().errorCode());
        assertEquals(20, burst.succeeded());
        pass(Duration.ofSeconds(1));
        assertEquals(10, burst(tag).succeeded());
        // The tags' bucket is their own: UpdateService still has its tokens.
        fx.setDesiredCount(SERVICE, 1);
    }

    /** Moves the throttles' clock ahead. */
    private void pass(Duration time) {
        nanos.addAndGet(time.toNanos());
    }

    /** How a burst of calls went: how many succeeded before the first throttle (at most 100). */
    private record Burst(int succeeded, EcsException throttled) {
    }

    /** Makes {@code call} back to back until ECS throttles it, or 100 succeeded. */
    private static Burst burst(Runnable call) {
        int succeeded = 0;
        EcsException throttled = null;
        while (throttled == null && succeeded < 100) {
            try {
                call.run();
                succeeded++;
            } catch (EcsException e) {
                throttled = e;
            }
        }
        return new Burst(succeeded, throttled);
    }
}
