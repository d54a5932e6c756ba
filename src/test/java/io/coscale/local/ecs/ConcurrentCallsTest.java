package io.coscale.local.ecs;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The emulator serves every call on a thread of its own, as AWS serves each request by itself: calls that are delayed
 * (injected latency, or a slow action) are delayed side by side, never one behind another. A benchmark that injects
 * latency then measures its caller, not a queue inside the emulator.
 */
class ConcurrentCallsTest {

    private static final int CALLS = 40;

    private EcsEmulatorFixture fx;
    private ExecutorService callers;

    @BeforeEach
    void start() {
        fx = EcsEmulatorFixture.start(0, EcsEmulatorFixture.idleRunner());
        fx.setUpCluster(2, Map.of());
        callers = Executors.newFixedThreadPool(CALLS);
    }

    @AfterEach
    void stop() {
        callers.shutdownNow();
        fx.close();
    }

    @Test
    void fortyCallsAreInFlightAtOnceEachOnItsOwnThread() throws Exception {
        // Each call is held inside the emulator until all forty have arrived: a server with fewer threads than calls
        // would never let the last ones in, and the latch would time out.
        CountDownLatch allIn = new CountDownLatch(CALLS);
        AtomicInteger inFlight = new AtomicInteger();
        AtomicInteger maxInFlight = new AtomicInteger();
        AtomicInteger answered = new AtomicInteger();
        fx.emulator.addCallListener(new CallListener() {
            @Override
            public void received(String action, JsonNode request, long receivedNanos) {
                maxInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
                allIn.countDown();
                try {
                    allIn.await(20, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }

            @Override
            public void answered(String action) {
                inFlight.decrementAndGet();
                answered.incrementAndGet();
            }
        });
        fx.emulator.faults().set("DescribeClusters", new FaultInjector.Fault(Duration.ofMillis(50), 0, null));

        List<Future<Integer>> calls = new ArrayList<>();
        for (int i = 0; i < CALLS; i++) {
            calls.add(callers.submit(() -> fx.ecs.describeClusters(r -> r.clusters(EcsEmulatorFixture.CLUSTER))
                    .clusters().size()));
        }
        for (Future<Integer> call : calls) {
            assertThat(call.get(30, TimeUnit.SECONDS)).isEqualTo(1);
        }

        assertThat(allIn.getCount()).as("calls that never got into the emulator while others were held").isZero();
        assertThat(maxInFlight.get()).isEqualTo(CALLS);
        assertThat(answered.get()).isEqualTo(CALLS);
        assertThat(inFlight.get()).as("every call that came in was answered").isZero();
    }
}
