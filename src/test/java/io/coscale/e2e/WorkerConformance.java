package io.coscale.e2e;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.ecs.model.DesiredStatus;
import software.amazon.awssdk.services.ecs.model.KeyValuePair;
import software.amazon.awssdk.services.ecs.model.Task;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.MessageAttributeValue;

/**
 * The conformance kit: grades a worker command, run as every task of the local cloud's demo pool, through the
 * scenarios the protocol's guarantees need, one row per guarantee. {@link WorkerConformanceTest} grades
 * coscale-run, or the command {@code -Dworker.command} names; {@link BrokenWorkerConformanceTest} shows that a broken
 * worker fails the rows it should. The local cloud sets {@code COSCALE_URL}, {@code QUEUE_URL},
 * {@code ECS_CONTAINER_METADATA_URI_V4}, {@code AWS_ENDPOINT_URL_SQS} and credentials, and counts a job only if the
 * worker reports it as coscale-run does with {@code COSCALE_LOCAL_JOB_EVENTS=1}. Each job should take a second or
 * more, so that a scenario can strike mid-job.
 */
abstract class WorkerConformance {

    static final String SCALE_IN = "no busy task stopped by a scale-in, every worker exits 0";
    static final String STOP_SIGNAL = "SIGTERM mid-job: the job finished or given back, exit 0";
    private static final Duration SCENARIO = Duration.ofSeconds(90);

    @Inject
    EcsClient ecs;

    @Inject
    SqsClient sqs;

    /** The local cloud's settings for a kit run: SQS signatures checked, every task the given command. */
    static Map<String, String> settings(String workerCommand) {
        return Map.of("coscale.local.sqs-proxy", "true", "coscale.local.worker-command", workerCommand);
    }

    record Row(String guarantee, String grade, String why) {
    }

    @FunctionalInterface
    interface Scenario {
        void run() throws Exception;
    }

    /** Runs every scenario in turn and prints the grades. */
    List<Row> gradeAll(String workerCommand) {
        List<Row> rows = new ArrayList<>();
        grade(rows, SCALE_IN, this::scaleInWhileBusy);
        grade(rows, STOP_SIGNAL, this::stopSignalMidJob);
        grade(rows, "a deployment mid-job drains, no busy task stopped", this::deploymentMidJob);
        grade(rows, "a duplicate delivery is worked twice without harm", this::duplicateDelivery);
        for (String untested : List.of("coscale unreachable for a minute", "coscale restarted",
                "a claim answered 403", "a job failing every try (see CoscaleRunFailingJobEndToEndTest)")) {
            rows.add(new Row(untested, "not run", "the local cloud injects no such fault into a test of any worker yet"));
        }
        System.out.printf("worker conformance of: %s%n", workerCommand);
        rows.forEach(r -> System.out.printf("  %-58s %-7s %s%n", r.guarantee(), r.grade(), r.why()));
        return rows;
    }

    private static void grade(List<Row> rows, String guarantee, Scenario scenario) {
        try {
            scenario.run();
            rows.add(new Row(guarantee, "pass", ""));
        } catch (AssertionError | Exception e) {
            String why = String.valueOf(e.getMessage()).replaceAll("\\s+", " ");
            rows.add(new Row(guarantee, "fail", why.length() > 300 ? why.substring(0, 300) + "…" : why));
        }
    }

    /** Eight jobs on up to four tasks: some find the queue empty and exit while others are still busy. */
    private void scaleInWhileBusy() {
        long busyStops = Demo.stat("tasksStoppedWhileBusy");
        long failedExits = Demo.stat("workerExitsFailed");
        long done = Demo.stat("jobsCompleted");
        for (int i = 0; i < 8; i++) {
            Demo.submit("{\"n\": " + i + "}");
        }
        awaitDoneAndSettled(done + 8);
        assertThat(Demo.stat("tasksStoppedWhileBusy")).as("busy tasks stopped").isEqualTo(busyStops);
        assertThat(Demo.stat("workerExitsFailed")).as("workers that exited non-zero").isEqualTo(failedExits);
    }

    /** A Spot interruption of the task that holds the one job: its job is done or given back before the kill. */
    private void stopSignalMidJob() {
        long interrupted = Demo.stat("jobsInterrupted");
        long done = Demo.stat("jobsCompleted");
        long received = Demo.stat("jobsReceived");
        Demo.submit("{\"n\": 1}");
        await().atMost(SCENARIO).until(() -> Demo.stat("jobsReceived") > received);
        List<String> running = taskArns(DesiredStatus.RUNNING);
        assertThat(running).as("the one task working the job").hasSize(1);
        given().contentType(ContentType.JSON)
                .body("{\"taskArn\": \"" + running.get(0) + "\", \"kind\": \"SpotInterruption\"}")
                .post("/local/v1/faults/task-stops").then().statusCode(200);
        awaitDoneAndSettled(done + 1);
        assertThat(Demo.stat("jobsInterrupted")).as("jobs the SIGKILL caught").isEqualTo(interrupted);
        Task stopped = ecs.describeTasks(b -> b.cluster("local").tasks(running)).tasks().get(0);
        assertThat(stopped.containers().get(0).exitCode()).as("the interrupted worker's exit code").isZero();
    }

    /** A new worker version rolled out while jobs run: old tasks drain after their job; none is stopped busy. */
    private void deploymentMidJob() {
        long busyStops = Demo.stat("tasksStoppedWhileBusy");
        long deployments = Demo.stat("deploymentsCompleted");
        long done = Demo.stat("jobsCompleted");
        long received = Demo.stat("jobsReceived");
        for (int i = 0; i < 4; i++) {
            Demo.submit("{\"n\": " + i + "}");
        }
        await().atMost(SCENARIO).until(() -> Demo.stat("jobsReceived") > received);
        String queueUrl = Demo.status().getString("queueUrl");
        String arn = ecs.registerTaskDefinition(b -> b.family("demo-worker").cpu("256").memory("512")
                .containerDefinitions(c -> c.name("worker").image("coscale/worker:" + UUID.randomUUID())
                        .essential(true).stopTimeout(30)
                        .environment(KeyValuePair.builder().name("QUEUE_URL").value(queueUrl).build())))
                .taskDefinition().taskDefinitionArn();
        ecs.updateService(b -> b.cluster("local").service("demo").taskDefinition(arn));
        awaitDoneAndSettled(done + 4);
        await().atMost(SCENARIO).untilAsserted(() ->
                assertThat(Demo.stat("deploymentsCompleted")).as("deployments completed").isEqualTo(deployments + 1));
        assertThat(Demo.stat("tasksStoppedWhileBusy")).as("busy tasks stopped").isEqualTo(busyStops);
    }

    /** The same job twice on the queue (a 502'd submission repeated, or SQS's at-least-once): both worked, deleted. */
    private void duplicateDelivery() {
        long done = Demo.stat("jobsCompleted");
        String queueUrl = Demo.status().getString("queueUrl");
        Map<String, MessageAttributeValue> id = Map.of("coscale-job-id",
                MessageAttributeValue.builder().dataType("String").stringValue(UUID.randomUUID().toString()).build());
        for (int i = 0; i < 2; i++) {
            sqs.sendMessage(b -> b.queueUrl(queueUrl).messageBody("{\"n\": 1}").messageAttributes(id));
        }
        awaitDoneAndSettled(done + 2);
    }

    private void awaitDoneAndSettled(long jobsCompleted) {
        await().atMost(SCENARIO).untilAsserted(() ->
                assertThat(Demo.stat("jobsCompleted")).as("jobs completed").isEqualTo(jobsCompleted));
        await().atMost(SCENARIO).untilAsserted(() -> {
            assertThat(Demo.status().getInt("desiredCount")).as("desiredCount").isZero();
            assertThat(taskArns(DesiredStatus.RUNNING)).as("running tasks").isEmpty();
        });
        await().atMost(Duration.ofSeconds(40)).untilAsserted(() ->
                assertThat(Demo.stat("tasksStarted")).as("tasks started and not yet stopped")
                        .isEqualTo(Demo.stat("tasksStopped") - Demo.stat("tasksStoppedBeforeStart")));
    }

    private List<String> taskArns(DesiredStatus desiredStatus) {
        return ecs.listTasks(b -> b.cluster("local").serviceName("demo").desiredStatus(desiredStatus)).taskArns();
    }
}
