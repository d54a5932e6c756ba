package io.coscale.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.coscale.deploy.RecordedAwsCalls;
import io.coscale.local.LocalCloudTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The long-lived mode: every task is {@code coscale-run --serve -- sh deploy/examples/worker-shell/worker.sh}, a
 * shell script that takes its jobs over coscale-run's loopback endpoint with curl ({@code GET /next},
 * {@code POST /done}, {@code POST /failed}) and has no protocol code of its own.
 */
@QuarkusTest
@QuarkusTestResource(LocalCloudTestResource.class)
@WithTestResource(RecordedAwsCalls.class)
@ExtendWith(RecordedAwsCalls.class)
@TestProfile(ProcessWorkers.Profile.class)
class CoscaleRunServeEndToEndTest {

    private static final int JOBS = 10;
    private static final int MAX_RECEIVE_COUNT = 3;

    @BeforeAll
    static void everyTaskRunsAShellScriptUnderCoscaleRunServe() {
        Path script = PythonWorkers.deployFile("examples/worker-shell/worker.sh");
        ProcessWorkers.use(CoscaleRun.workerCommand("--serve -- sh " + PythonWorkers.shellQuote(script)));
    }

    @Test
    void aShellScriptWorksJobsThroughTheLoopbackEndpointAndAFailingOneReachesTheDeadLetterQueue() {
        long startedAt = System.nanoTime();
        JsonPath before = Demo.stats();
        for (int i = 0; i < JOBS; i++) {
            Demo.submit("{\"n\": " + i + "}");
        }
        Demo.submit("{\"fail\": true}");
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(250)).untilAsserted(() -> {
            assertThat(Demo.stat("jobsCompleted") - before.getLong("jobsCompleted")).isEqualTo(JOBS);
            assertThat(Demo.status().getLong("deadLetter.visible")).isEqualTo(1);
        });
        CoscaleRun.printFigures("coscale-run --serve e2e: jobs done, the failing one in the dead-letter queue", startedAt);
        CoscaleRun.awaitPoolBackToMinTasks();
        CoscaleRun.printFigures("coscale-run --serve e2e: pool back to minTasks", startedAt);

        // Counted from this test's start: the application is shared with the other process workers' tests.
        JsonPath stats = Demo.stats();
        assertThat(CoscaleRun.grown(before, stats, "jobsReceived")).isEqualTo(JOBS + MAX_RECEIVE_COUNT);
        assertThat(CoscaleRun.grown(before, stats, "jobsFailed")).isEqualTo(MAX_RECEIVE_COUNT);
        assertThat(CoscaleRun.grown(before, stats, "tasksStoppedWhileBusy")).isZero();
        assertThat(CoscaleRun.grown(before, stats, "workerExitsFailed")).isZero();
        assertThat(CoscaleRun.grown(before, stats, "tasksStarted"))
                .isLessThanOrEqualTo(CoscaleRun.grown(before, stats, "jobsReceived"));
    }
}
