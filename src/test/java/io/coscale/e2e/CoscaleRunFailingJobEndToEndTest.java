package io.coscale.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.coscale.local.LocalCloudTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A command that fails every job, under coscale-run: the job is tried as often as the demo queue's redrive policy
 * allows (3), given back at once after its last try, and lands in the dead-letter queue; it costs at most one task
 * start per receive, and the pool goes back to {@code minTasks}.
 */
@QuarkusTest
@QuarkusTestResource(LocalCloudTestResource.class)
@TestProfile(CoscaleRunFailingJobEndToEndTest.Profile.class)
class CoscaleRunFailingJobEndToEndTest {

    private static final int MAX_RECEIVE_COUNT = 3;

    public static class Profile implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("coscale.local.sqs-proxy", "true",
                    "coscale.local.worker-command", CoscaleRun.workerCommand("-- sh -c 'cat > /dev/null; exit 3'"));
        }
    }

    @Test
    void aJobFailingEveryTryReachesTheDeadLetterQueueAfterItsTriesAtOneTaskStartPerReceiveAtMost() {
        long startedAt = System.nanoTime();
        Demo.submit("{\"fail\": true}");
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(250)).untilAsserted(() ->
                assertThat(Demo.status().getLong("deadLetter.visible")).isEqualTo(1));
        CoscaleRun.printFigures("coscale-run failing job: in the dead-letter queue", startedAt);
        CoscaleRun.awaitPoolBackToMinTasks();
        CoscaleRun.printFigures("coscale-run failing job: pool back to minTasks", startedAt);

        JsonPath stats = Demo.stats();
        assertThat(stats.getLong("jobsReceived")).isEqualTo(MAX_RECEIVE_COUNT);
        assertThat(stats.getLong("jobsFailed")).isEqualTo(MAX_RECEIVE_COUNT);
        assertThat(stats.getLong("jobsCompleted")).isZero();
        assertThat(stats.getLong("tasksStoppedWhileBusy")).isZero();
        assertThat(stats.getLong("workerExitsFailed")).isZero();
        assertThat(stats.getLong("tasksStarted")).isBetween(1L, stats.getLong("jobsReceived"));
        assertThat(Demo.status().getLong("queue.visible") + Demo.status().getLong("queue.inFlight")).isZero();
    }
}
