package io.coscale.local.ecs;

import static io.coscale.local.ecs.EcsEmulatorFixture.CLUSTER;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ecs.model.EcsException;
import software.amazon.awssdk.services.ecs.model.Tag;

/**
 * UpdateService is metered like ECS: a burst of 50, then 5 per second, answered with ThrottlingException; TagResource
 * (coscale's exit record) has its own bucket, 20 then 10 per second.
 */
class ThrottlingTest {

    private static final String SERVICE = "svc";

    private EcsEmulatorFixture fx;

    @BeforeEach
    void start() {
        fx = EcsEmulatorFixture.start(2, EcsEmulatorFixture.idleRunner());
        fx.setUpCluster(2, Map.of());
        fx.createService(SERVICE, 0);
        // Warm the client up on a read action (another bucket) so that the burst below is really rapid.
        for (int i = 0; i < 20; i++) {
            fx.service(SERVICE);
        }
        // CreateService spent a token of the service-modification bucket; give it time to come back.
        await().pollDelay(Duration.ofMillis(300)).until(() -> true);
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
        // The first 50 always succeed; tokens refilled during the burst (5/s) may allow a few more.
        assertTrue(burst.succeeded() >= 50 && burst.succeeded() <= 50 + (int) Math.ceil(burst.seconds() * 5),
                burst.succeeded() + " calls succeeded in " + burst.seconds() + " s");
        assertTrue(fx.emulator.stats().snapshot().throttled() >= 1);

        await().atMost(Duration.ofMillis(1200)).pollInterval(Duration.ofMillis(20)).ignoreException(EcsException.class)
                .until(() -> {
                    fx.setDesiredCount(SERVICE, 0);
                    return true;
                });
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
        Burst burst = burst(() -> fx.ecs.tagResource(r -> r.resourceArn(task)
                .tags(Tag.builder().key("coscale:exit").value("0").build())));

        assertNotNull(burst.throttled(), "no ThrottlingException after " + burst.succeeded() + " TagResource calls");
        assertEquals("ThrottlingException", burst.throttled().awsErrorDetails().errorCode());
        assertTrue(burst.succeeded() >= 20 && burst.succeeded() <= 20 + (int) Math.ceil(burst.seconds() * 10),
                burst.succeeded() + " calls succeeded in " + burst.seconds() + " s");
        // The tags' bucket is their own: UpdateService still has its tokens.
        fx.setDesiredCount(SERVICE, 1);
    }

    /** How a burst of calls went: how many succeeded before the first throttle (at most 100), and in how long. */
    private record Burst(int succeeded, EcsException throttled, double seconds) {
    }

    /** Makes {@code call} back to back until ECS throttles it, or 100 succeeded. */
    private static Burst burst(Runnable call) {
        long startNanos = System.nanoTime();
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
        return new Burst(succeeded, throttled, (System.nanoTime() - startNanos) / 1e9);
    }
}
