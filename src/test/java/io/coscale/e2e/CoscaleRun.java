package io.coscale.e2e;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.restassured.path.json.JsonPath;
import java.time.Duration;

/**
 * {@code deploy/coscale-run} as the local cloud's tasks run it: with {@code /usr/bin/python3} and nothing installed,
 * short waits so that an idle task releases within a second or two, and the job events the emulator counts.
 */
final class CoscaleRun {

    /** Short waits, a 5 s heartbeat, and the job events the emulator counts. */
    static final String ENVIRONMENT = environment(5);

    private CoscaleRun() {
    }

    /**
     * The worker command: {@code coscale-run [options] -- <command>}, {@code exec}'d so that the task's stop signal
     * reaches coscale-run itself. -B: no __pycache__ in the work tree.
     */
    static String workerCommand(String runArgs) {
        return workerCommand(ENVIRONMENT, runArgs);
    }

    /** Short waits, a heartbeat every {@code heartbeatSeconds}, and the job events the emulator counts. */
    static String environment(int heartbeatSeconds) {
        return "COSCALE_LOCAL_JOB_EVENTS=1 FIRST_WAIT_SECONDS=1 NEXT_WAIT_SECONDS=1 STAY_WAIT_SECONDS=1 HEARTBEAT_SECONDS="
                + heartbeatSeconds;
    }

    /** As {@link #workerCommand(String)}, in {@code environment}. */
    static String workerCommand(String environment, String runArgs) {
        return environment + " exec " + PythonWorkers.python() + " -B "
                + PythonWorkers.shellQuote(PythonWorkers.deployFile("coscale-run/coscale-run")) + " " + runArgs;
    }

    /** The demo pool is back at its {@code minTasks} (0) with no task left running, every process exited. */
    static void awaitPoolBackToMinTasks() {
        await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> {
            JsonPath pool = Demo.status();
            assertThat(pool.getInt("desiredCount")).isEqualTo(pool.getInt("minTasks"));
            assertThat(pool.getInt("runningCount") + pool.getInt("pendingCount")).isZero();
        });
        await().atMost(Duration.ofSeconds(40)).untilAsserted(() ->
                assertThat(Demo.stat("tasksStarted")).isEqualTo(Demo.stat("tasksStopped")
                        - Demo.stat("tasksStoppedBeforeStart")));
    }

    /** How much the counter {@code key} of the local cloud's stats grew from {@code before} to {@code after}. */
    static long grown(JsonPath before, JsonPath after, String key) {
        return after.getLong(key) - before.getLong(key);
    }

    /** The emulator's counters and the pool's events, for the test's log. */
    static void printFigures(String what, long startedAt) {
        System.out.printf("%s after %d ms: stats %s%nevents %s%n", what, (System.nanoTime() - startedAt) / 1_000_000,
                given().get("/local/v1/stats").asString(), given().get("/v1/pools/demo/events?limit=200").asString());
    }
}
