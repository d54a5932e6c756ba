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
 * The demo pool with every task {@code coscale-run -- sh -c 'cat > /dev/null; sleep 1'}: a worker with no protocol
 * code of its own. coscale-run runs on {@code /usr/bin/python3} with nothing installed, and its SQS calls go through
 * the local cloud's SQS proxy, which checks their signatures as SQS would.
 */
@QuarkusTest
@QuarkusTestResource(LocalCloudTestResource.class)
@TestProfile(CoscaleRunEndToEndTest.Profile.class)
class CoscaleRunEndToEndTest {

    private static final int JOBS = 12;

    public static class Profile implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("coscale.local.sqs-proxy", "true",
                    "coscale.local.worker-command", CoscaleRun.workerCommand("-- sh -c 'cat > /dev/null; sleep 1'"));
        }
    }

    @Test
    void jobsCompleteUnderCoscaleRunAndThePoolShrinksBackWithNoBusyTaskStopped() {
        long startedAt = System.nanoTime();
        for (int i = 0; i < JOBS; i++) {
            Demo.submit("{\"n\": " + i + "}");
        }
        await().atMost(Duration.ofSeconds(90)).untilAsserted(() ->
                assertThat(Demo.stat("jobsCompleted")).isEqualTo(JOBS));
        CoscaleRun.printFigures("coscale-run e2e: " + JOBS + " jobs done", startedAt);
        CoscaleRun.awaitPoolBackToMinTasks();
        CoscaleRun.printFigures("coscale-run e2e: pool back to minTasks", startedAt);

        JsonPath stats = Demo.stats();
        assertThat(stats.getLong("jobsCompleted")).isEqualTo(JOBS);
        assertThat(stats.getLong("jobsFailed")).isZero();
        assertThat(stats.getLong("jobsReceived")).isEqualTo(JOBS);
        assertThat(stats.getLong("tasksStoppedWhileBusy")).isZero();
        assertThat(stats.getLong("workerExitsFailed")).isZero();
        assertThat(stats.getLong("tasksStarted")).isLessThanOrEqualTo(stats.getLong("jobsReceived"));
        assertThat(stats.getLong("sqsProxy.errors")).isZero();
    }
}
