package io.coscale.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.coscale.local.LocalCloudTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The long-lived mode: every task is {@code coscale-run --serve -- sh deploy/examples/worker-shell/worker.sh}, a
 * shell script that takes its jobs over coscale-run's loopback endpoint with curl ({@code GET /next},
 * {@code POST /done}, {@code POST /failed}) and has no protocol code of its own.
 */
@QuarkusTest
@QuarkusTestResource(LocalCloudTestResource.class)
@TestProfile(CoscaleRunServeEndToEndTest.Profile.class)
class CoscaleRunServeEndToEndTest {

    private static final int JOBS = 10;
    private static final int MAX_RECEIVE_COUNT = 3;

    public static class Profile implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            Path script = PythonWorkers.deployFile("examples/worker-shell/worker.sh");
            return Map.of("coscale.local.sqs-proxy", "true", "coscale.local.worker-command",
                    CoscaleRun.workerCommand("--serve -- sh " + PythonWorkers.shellQuote(script)));
        }
    }

    @Test
    void aShellScriptWorksJobsThroughTheLoopbackEndpointAndAFailingOneReachesTheDeadLetterQueue() {
        long startedAt = System.nanoTime();
        for (int i = 0; i < JOBS; i++) {
            Demo.submit("{\"n\": " + i + "}");
        }
        Demo.submit("{\"fail\": true}");
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(250)).untilAsserted(() -> {
            assertThat(Demo.stat("jobsCompleted")).isEqualTo(JOBS);
            assertThat(Demo.status().getLong("deadLetter.visible")).isEqualTo(1);
        });
        CoscaleRun.printFigures("coscale-run --serve e2e: jobs done, the failing one in the dead-letter queue", startedAt);
        CoscaleRun.awaitPoolBackToMinTasks();
        CoscaleRun.printFigures("coscale-run --serve e2e: pool back to minTasks", startedAt);

        JsonPath stats = Demo.stats();
        assertThat(stats.getLong("jobsReceived")).isEqualTo(JOBS + MAX_RECEIVE_COUNT);
        assertThat(stats.getLong("jobsFailed")).isEqualTo(MAX_RECEIVE_COUNT);
        assertThat(stats.getLong("tasksStoppedWhileBusy")).isZero();
        assertThat(stats.getLong("workerExitsFailed")).isZero();
        assertThat(stats.getLong("tasksStarted")).isLessThanOrEqualTo(stats.getLong("jobsReceived"));
    }
}
