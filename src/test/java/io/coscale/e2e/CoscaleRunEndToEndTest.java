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
import java.time.Duration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The demo pool with every task {@code coscale-run -- sh -c 'cat > /dev/null; sleep 1'}: a worker with no protocol
 * code of its own. coscale-run runs on {@code /usr/bin/python3} with nothing installed, and its SQS calls go through
 * the local cloud's SQS proxy, which checks their signatures as SQS would.
 */
@QuarkusTest
@QuarkusTestResource(LocalCloudTestResource.class)
@WithTestResource(RecordedAwsCalls.class)
@ExtendWith(RecordedAwsCalls.class)
@TestProfile(ProcessWorkers.Profile.class)
class CoscaleRunEndToEndTest {

    private static final int JOBS = 12;

    @BeforeAll
    static void everyTaskRunsCoscaleRunAroundAShellCommand() {
        ProcessWorkers.use(CoscaleRun.workerCommand("-- sh -c 'cat > /dev/null; sleep 1'"));
    }

    @Test
    void jobsCompleteUnderCoscaleRunAndThePoolShrinksBackWithNoBusyTaskStopped() {
        long startedAt = System.nanoTime();
        JsonPath before = Demo.stats();
        for (int i = 0; i < JOBS; i++) {
            Demo.submit("{\"n\": " + i + "}");
        }
        await().atMost(Duration.ofSeconds(90)).untilAsserted(() ->
                assertThat(Demo.stat("jobsCompleted") - before.getLong("jobsCompleted")).isEqualTo(JOBS));
        CoscaleRun.printFigures("coscale-run e2e: " + JOBS + " jobs done", startedAt);
        CoscaleRun.awaitPoolBackToMinTasks();
        CoscaleRun.printFigures("coscale-run e2e: pool back to minTasks", startedAt);

        // Counted from this test's start: the application is shared with the other process workers' tests.
        JsonPath stats = Demo.stats();
        assertThat(CoscaleRun.grown(before, stats, "jobsCompleted")).isEqualTo(JOBS);
        assertThat(CoscaleRun.grown(before, stats, "jobsFailed")).isZero();
        assertThat(CoscaleRun.grown(before, stats, "jobsReceived")).isEqualTo(JOBS);
        assertThat(CoscaleRun.grown(before, stats, "tasksStoppedWhileBusy")).isZero();
        assertThat(CoscaleRun.grown(before, stats, "workerExitsFailed")).isZero();
        assertThat(CoscaleRun.grown(before, stats, "tasksStarted"))
                .isLessThanOrEqualTo(CoscaleRun.grown(before, stats, "jobsReceived"));
        assertThat(CoscaleRun.grown(before, stats, "sqsProxy.errors")).isZero();
    }
}
