package io.coscale.e2e;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.coscale.deploy.RecordedAwsCalls;
import io.coscale.local.LocalCloudTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.ecs.model.DesiredStatus;
import software.amazon.awssdk.services.ecs.model.Task;

/**
 * The demo pool with every task an OS process of the Python example worker, {@code coscale-run -- python3
 * process.py} ({@code deploy/examples/worker-python}): jobs in, tasks up, jobs done, tasks back down, no busy task
 * killed, against real SQS (ElasticMQ) and coscale's HTTP API. Needs a python3 and nothing installed.
 */
@QuarkusTest
@QuarkusTestResource(LocalCloudTestResource.class)
@WithTestResource(RecordedAwsCalls.class)
@ExtendWith(RecordedAwsCalls.class)
@TestProfile(ProcessWorkers.Profile.class)
class PythonWorkerEndToEndTest {

    private static final int JOBS = 12;

    final EcsClient ecs = HarnessClients.ecs();

    @BeforeAll
    static void everyTaskRunsThePythonExampleWorker() {
        // Short waits keep the test fast: a task with nothing to do releases after ~1 s instead of 20 s.
        // exec: the stop signal reaches coscale-run itself, not the bash in front of it.
        ProcessWorkers.use(CoscaleRun.ENVIRONMENT + " exec " + PythonWorkers.command());
    }

    @Test
    void jobsCompleteOnPythonTasksAndThePoolShrinksBack() {
        long startedAt = System.nanoTime();
        JsonPath before = stats();
        for (int i = 0; i < JOBS; i++) {
            given().contentType(ContentType.JSON).body("{\"payload\": {\"seconds\": 0.5}}")
                    .post("/v1/pools/demo/jobs").then().statusCode(202);
        }
        long submittedAt = System.nanoTime();

        await().atMost(Duration.ofSeconds(90)).untilAsserted(() ->
                assertThat(CoscaleRun.grown(before, stats(), "jobsCompleted")).isEqualTo(JOBS));
        long jobsDoneAt = System.nanoTime();
        await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> {
            JsonPath pool = given().get("/v1/pools/demo").then().statusCode(200).extract().jsonPath();
            assertThat(pool.getInt("desiredCount")).isZero();
            assertThat(pool.getInt("runningCount") + pool.getInt("pendingCount")).isZero();
            assertThat(taskArns(DesiredStatus.RUNNING)).isEmpty();
        });
        long shrunkAt = System.nanoTime();
        // Scale-in only asks a task to stop: its process must then really exit (the worker obeys SIGTERM).
        await().atMost(Duration.ofSeconds(40)).untilAsserted(() ->
                assertThat(tasks()).allSatisfy(t -> assertThat(t.lastStatus()).isEqualTo("STOPPED")));
        long exitedAt = System.nanoTime();

        JsonPath stats = stats();
        System.out.printf("python worker e2e: %d jobs submitted in %d ms, done after %d ms, desiredCount 0 after %d ms,"
                + " every process exited after %d ms%nstats %s%n", JOBS, millis(startedAt, submittedAt),
                millis(startedAt, jobsDoneAt), millis(startedAt, shrunkAt), millis(startedAt, exitedAt),
                given().get("/local/v1/stats").asString());
        tasks().forEach(t -> System.out.println(describe(t)));
        System.out.println("events: " + given().get("/v1/pools/demo/events?limit=200").asString());
        // Counted from this test's start: the application is shared with the other process workers' tests.
        assertThat(CoscaleRun.grown(before, stats, "tasksStoppedWhileBusy")).isZero();
        assertThat(CoscaleRun.grown(before, stats, "jobsFailed")).isZero();
        assertThat(CoscaleRun.grown(before, stats, "jobsCompleted")).isEqualTo(JOBS);
    }

    private List<String> taskArns(DesiredStatus desiredStatus) {
        return ecs.listTasks(b -> b.cluster("local").serviceName("demo").desiredStatus(desiredStatus)).taskArns();
    }

    private List<Task> tasks() {
        List<String> arns = new ArrayList<>(taskArns(DesiredStatus.RUNNING));
        arns.addAll(taskArns(DesiredStatus.STOPPED));
        return arns.isEmpty() ? List.of() : ecs.describeTasks(b -> b.cluster("local").tasks(arns)).tasks();
    }

    /** One line per task for the log: who ran, who was stopped by a scale-in, who exited on its own, and how. */
    private static String describe(Task task) {
        String id = task.taskArn().substring(task.taskArn().lastIndexOf('/') + 1);
        Integer exitCode = task.containers().isEmpty() ? null : task.containers().get(0).exitCode();
        return "task %.8s started %s stopping %s stopped %s exit %s: %s".formatted(id, task.startedAt(),
                task.stoppingAt(), task.stoppedAt(), exitCode, task.stoppedReason());
    }

    private static long millis(long from, long to) {
        return TimeUnit.NANOSECONDS.toMillis(to - from);
    }

    private static JsonPath stats() {
        return given().get("/local/v1/stats").then().statusCode(200).extract().jsonPath();
    }
}
