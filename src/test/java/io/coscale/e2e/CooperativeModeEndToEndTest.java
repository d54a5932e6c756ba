package io.coscale.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.coscale.local.LocalCloudTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The same run as {@link DemoPoolEndToEndTest} in cooperative mode: no protection, so ECS may stop a busy
 * task on scale-in. It reports how many it stopped (the figure protect mode exists to bring to zero); it
 * asserts only what cooperative mode still guarantees: every job completes (SQS redelivers interrupted
 * ones) and the pool shrinks back within its bounds.
 */
@QuarkusTest
@QuarkusTestResource(LocalCloudTestResource.class)
@TestProfile(CooperativeModeEndToEndTest.Cooperative.class)
class CooperativeModeEndToEndTest {

    public static class Cooperative implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            // A short visibility timeout is not settable per test; interrupted jobs come back after the demo queue's 30 s.
            return Map.of("coscale.pools.demo.mode", "cooperative");
        }
    }

    @Test
    void fiftyJobsCompleteAndTheBusyTasksStoppedAreReported() throws Exception {
        Demo.awaitSettled();
        long callsBefore = Demo.updateServiceCalls();

        Demo.submitConcurrently(50, 8, Demo::mixedLength);

        await().atMost(Duration.ofSeconds(120)).untilAsserted(() ->
                assertThat(Demo.stat("jobsCompleted")).isEqualTo(50));
        Demo.awaitSettled();
        System.out.printf("cooperative mode, 50 jobs: busy tasks stopped by ECS %d, jobs interrupted %d, "
                + "UpdateService calls %d, tasks started %d%n", Demo.stat("tasksStoppedWhileBusy"),
                Demo.stat("jobsInterrupted"), Demo.updateServiceCalls() - callsBefore, Demo.stat("tasksStarted"));
        System.out.println("stats " + Demo.stats().prettify());
        assertThat(Demo.stats().getObject("apiCalls.UpdateTaskProtection", Long.class)).isNull();
        assertThat(Demo.eventCounts()).isNotEmpty().allSatisfy(n -> assertThat(n).isBetween(0, 8));
    }
}
