package io.coscale.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.StreamSupport;
import software.amazon.awssdk.services.ecs.model.DesiredStatus;
import software.amazon.awssdk.services.ecs.model.KeyValuePair;
import software.amazon.awssdk.services.ecs.model.Task;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageAttributeValue;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;

/**
 * The conformance kit: grades a worker, run as every task of a {@link ConformanceCloud}'s demo pool, through one
 * scenario per guarantee the worker protocol needs, with the fault each is about, and prints one row per guarantee
 * (pass / fail / why). docs/API.md links each rule of the protocol to its row by the row's id.
 * <p>
 * What the kit expects of a worker: the environment the local cloud gives every task ({@code COSCALE_URL},
 * {@code QUEUE_URL}, {@code ECS_CONTAINER_METADATA_URI_V4}, {@code AWS_ENDPOINT_URL_SQS}, credentials), each message's
 * fate reported as coscale-run does with {@code COSCALE_LOCAL_JOB_EVENTS=1}, a job {@code {"seconds": 1}} that works
 * about a second and succeeds, and a job {@code {"fail": true}} that fails.
 */
final class WorkerConformance {

    /** The guarantees, each one row; the id is the row's anchor in docs/API.md ("Conformance rows"). */
    enum Guarantee {
        SCALE_IN("scale-in", "a scale-in while tasks are busy stops none of them; every worker exits 0"),
        DRAIN("drain", "a deployment mid-job: old tasks drain after their job, none is stopped busy"),
        SIGTERM("sigterm", "SIGTERM mid-job: the job is finished or given back, exit 0"),
        UNREACHABLE("unreachable", "coscale unreachable: jobs go on without it, none lost, none run twice"),
        RESTART("restart", "coscale restarted mid-job: protection held, the job finishes once, its exit counted once"),
        FAILING_JOB("failing-job", "a job failing every try: given back after its last try, <= 1 task start per receive"),
        DUPLICATE("duplicate", "a duplicate delivery is worked twice without harm"),
        CLAIM_403("claim-403", "a claim answered 403: the worker takes no job and exits");

        final String id;
        final String text;

        Guarantee(String id, String text) {
            this.id = id;
            this.text = text;
        }
    }

    record Row(Guarantee guarantee, String grade, String why, long seconds) {
        boolean failed() {
            return grade.equals("fail");
        }
    }

    @FunctionalInterface
    private interface Scenario {
        void run() throws Exception;
    }

    /** The job every scenario submits: a second of work, so that a fault can strike mid-job. */
    static final String JOB = "{\"seconds\": 1}";
    private static final Duration SCENARIO = Duration.ofSeconds(120);
    private static final int MAX_RECEIVE_COUNT = 3; // the demo queue's redrive policy

    private final ConformanceCloud cloud;
    private final Duration outage;

    /**
     * @param outage how long coscale stays unreachable in {@link Guarantee#UNREACHABLE}: it must outlast a worker's
     *        claim retries and a visibility extension (several of the queue's visibility timeouts)
     */
    WorkerConformance(ConformanceCloud cloud, Duration outage) {
        this.cloud = cloud;
        this.outage = outage;
    }

    /** Runs the scenarios of {@code guarantees} in turn and returns their rows; a failed row's evidence is logged. */
    List<Row> grade(List<Guarantee> guarantees) {
        List<Row> rows = new ArrayList<>();
        for (Guarantee g : guarantees) {
            Row row = grade(g, switch (g) {
                case SCALE_IN -> this::scaleInWhileBusy;
                case DRAIN -> this::deploymentMidJob;
                case SIGTERM -> this::stopSignalMidJob;
                case UNREACHABLE -> this::coscaleUnreachable;
                case RESTART -> this::coscaleRestarted;
                case FAILING_JOB -> this::jobFailingEveryTry;
                case DUPLICATE -> this::duplicateDelivery;
                case CLAIM_403 -> this::claimForbidden;
            });
            if (row.failed()) {
                cloud.logEvidence(g.id);
            }
            rows.add(row);
        }
        return rows;
    }

    /** The rows as the kit prints them: one line per guarantee, and a last line that sums them up. */
    static String report(String worker, List<Row> rows) {
        StringBuilder out = new StringBuilder("worker conformance of: " + worker + "\n");
        rows.forEach(r -> out.append(String.format("  %-4s %-12s %s (%d s)%s%n", r.grade(), r.guarantee().id,
                r.guarantee().text, r.seconds(), r.why().isEmpty() ? "" : "\n         why: " + r.why())));
        long failed = rows.stream().filter(Row::failed).count();
        out.append(String.format("  %d of %d rows pass%n", rows.size() - failed, rows.size()));
        return out.toString();
    }

    private static Row grade(Guarantee guarantee, Scenario scenario) {
        long started = System.nanoTime();
        try {
            scenario.run();
            return new Row(guarantee, "pass", "", (System.nanoTime() - started) / 1_000_000_000);
        } catch (AssertionError | Exception e) {
            String why = String.valueOf(e.getMessage()).replaceAll("\\s+", " ");
            return new Row(guarantee, "fail", why.length() > 400 ? why.substring(0, 400) + "…" : why,
                    (System.nanoTime() - started) / 1_000_000_000);
        }
    }

    /** Eight jobs on up to four tasks: some find the queue empty and exit while others are still busy. */
    private void scaleInWhileBusy() {
        Counts before = counts();
        for (int i = 0; i < 8; i++) {
            cloud.submit(JOB);
        }
        awaitDoneAndSettled(before.completed + 8);
        before.assertNoBusyStopAndCleanExits(counts());
    }

    /** A new worker version rolled out while jobs run: old tasks drain after their job; none is stopped busy. */
    private void deploymentMidJob() {
        Counts before = counts();
        long deployments = cloud.stat("deploymentsCompleted");
        for (int i = 0; i < 4; i++) {
            cloud.submit(JOB);
        }
        awaitReceived(before.received + 1);
        String queueUrl = cloud.status().path("queueUrl").asText();
        String arn = cloud.ecs().registerTaskDefinition(b -> b.family("demo-worker").cpu("256").memory("512")
                .containerDefinitions(c -> c.name("worker").image("coscale/worker:" + UUID.randomUUID())
                        .essential(true).stopTimeout(30)
                        .environment(KeyValuePair.builder().name("QUEUE_URL").value(queueUrl).build())))
                .taskDefinition().taskDefinitionArn();
        cloud.ecs().updateService(b -> b.cluster("local").service("demo").taskDefinition(arn));
        awaitDoneAndSettled(before.completed + 4);
        await().atMost(SCENARIO).untilAsserted(() ->
                assertThat(cloud.stat("deploymentsCompleted")).as("deployments completed").isEqualTo(deployments + 1));
        before.assertNoBusyStopAndCleanExits(counts());
    }

    /** A Spot interruption of the task that holds the one job: its job is done or given back before the kill. */
    private void stopSignalMidJob() {
        Counts before = counts();
        // Right after a reconcile pass: a queue read that crosses a submission counts the job twice until the next read
        // (a second task for one job), and this row interrupts the one task that works it.
        String reconciled = cloud.status().path("lastReconcileAt").asText();
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20))
                .until(() -> !cloud.status().path("lastReconcileAt").asText().equals(reconciled));
        cloud.submit(JOB);
        awaitReceived(before.received + 1);
        List<String> running = taskArns("demo", DesiredStatus.RUNNING);
        assertThat(running).as("the one task working the job").hasSize(1);
        cloud.stopTask(running.get(0), "SpotInterruption");
        await().atMost(SCENARIO).until(() -> cloud.ecs().describeTasks(b -> b.cluster("local").tasks(running)).tasks()
                .get(0).lastStatus().equals("STOPPED"));
        Task stopped = cloud.ecs().describeTasks(b -> b.cluster("local").tasks(running)).tasks().get(0);
        assertThat(stopped.containers().get(0).exitCode()).as("the interrupted worker's exit code").isZero();
        assertThat(cloud.stat("jobsInterrupted")).as("jobs the SIGKILL caught").isEqualTo(before.interrupted);
        awaitDoneAndSettled(before.completed + 1);
    }

    /**
     * The link between the workers and coscale cut while they work, longer than any claim retry and several visibility
     * timeouts, and jobs submitted meanwhile: the tasks that hold work go on without coscale (finish, delete, keep
     * their messages invisible); once it is back every job has been done exactly once and the pool settles.
     */
    private void coscaleUnreachable() throws InterruptedException {
        Counts before = counts();
        for (int i = 0; i < 4; i++) {
            cloud.submit(JOB);
        }
        awaitReceived(before.received + 1);
        cloud.link().cut();
        long completedAtCut;
        long completedAtRestore;
        try {
            completedAtCut = cloud.stat("jobsCompleted");
            for (int i = 0; i < 4; i++) {
                cloud.submit(JOB);
            }
            Thread.sleep(outage.toMillis()); // the fault's length, not an assertion
            completedAtRestore = cloud.stat("jobsCompleted");
        } finally {
            cloud.link().restore();
        }
        awaitDoneAndSettled(before.completed + 8);
        Counts after = counts();
        assertThat(completedAtRestore).as("jobs finished and deleted while coscale was unreachable")
                .isGreaterThan(completedAtCut);
        assertThat(after.received - before.received).as("receives of the 8 jobs (more: a job ran twice)").isEqualTo(8);
        before.assertNoBusyStopAndCleanExits(after);
    }

    /**
     * coscale stopped and started again while a task works the one job: the task's protection holds in ECS while
     * coscale is down, the worker repeats its calls until the new coscale answers, the job is done once, and the one
     * exit lowers the count once (a release the worker repeats answers the same decision and lowers nothing twice).
     */
    private void coscaleRestarted() throws Exception {
        Counts before = counts();
        long lowered = cloud.stat("desiredCountLowered");
        cloud.submit(JOB);
        awaitReceived(before.received + 1);
        cloud.stopCoscale();
        try {
            // The task working the job among them; another may be starting, not yet claimed, hence not protected.
            List<String> running = taskArns("demo", DesiredStatus.RUNNING);
            assertThat(running).as("the tasks running as coscale stopped").isNotEmpty();
            assertThat(cloud.ecs().getTaskProtection(b -> b.cluster("local").tasks(running)).protectedTasks())
                    .as("their protection while coscale is down: the task working the job keeps it")
                    .anySatisfy(t -> assertThat(t.protectionEnabled()).isTrue());
        } finally {
            cloud.startCoscale();
        }
        awaitDoneAndSettled(before.completed + 1);
        Counts after = counts();
        assertThat(after.received - before.received).as("receives of the job (more: it ran twice)").isEqualTo(1);
        assertThat(cloud.stat("desiredCountLowered") - lowered).as("times the count was lowered for the one exit")
                .isEqualTo(1);
        before.assertNoBusyStopAndCleanExits(after);
    }

    /**
     * A job that fails every try reaches the dead-letter queue after the redrive policy's tries: its last try is given
     * back at once, so that the move costs no task start of its own (at most one task start per receive).
     */
    private void jobFailingEveryTry() {
        Counts before = counts();
        long deadLetters = cloud.status().path("deadLetter").path("visible").asLong();
        cloud.submit("{\"fail\": true}");
        await().atMost(SCENARIO).untilAsserted(() -> assertThat(cloud.status().path("deadLetter").path("visible").asLong())
                .as("jobs in the dead-letter queue").isEqualTo(deadLetters + 1));
        awaitSettled();
        Counts after = counts();
        assertThat(after.failed - before.failed).as("tries that failed").isEqualTo(MAX_RECEIVE_COUNT);
        assertThat(after.completed).as("jobs completed").isEqualTo(before.completed);
        assertThat(after.started - before.started).as("tasks started for the %d receives", MAX_RECEIVE_COUNT)
                .isBetween(1L, (long) MAX_RECEIVE_COUNT);
        before.assertNoBusyStopAndCleanExits(after);
    }

    /** The same job twice on the queue (a 502'd submission repeated, or SQS's at-least-once): both worked, deleted. */
    private void duplicateDelivery() {
        Counts before = counts();
        String queueUrl = cloud.status().path("queueUrl").asText();
        Map<String, MessageAttributeValue> id = Map.of("coscale-job-id",
                MessageAttributeValue.builder().dataType("String").stringValue(UUID.randomUUID().toString()).build());
        for (int i = 0; i < 2; i++) {
            cloud.sqs().sendMessage(b -> b.queueUrl(queueUrl).messageBody(JOB).messageAttributes(id));
        }
        awaitDoneAndSettled(before.completed + 2);
        before.assertNoBusyStopAndCleanExits(counts());
    }

    /**
     * A task of a service coscale does not manage, with a message waiting on its queue: coscale answers its claim 403
     * (docs/API.md, "Who may claim or release"). The worker must not receive (a 403 is not worth repeating) and must
     * exit on its own, with the message untouched.
     */
    private void claimForbidden() {
        String service = "unmanaged-" + UUID.randomUUID().toString().substring(0, 8);
        String queueUrl = cloud.sqs().createQueue(b -> b.queueName(service)).queueUrl();
        cloud.sqs().sendMessage(b -> b.queueUrl(queueUrl).messageBody(JOB));
        String taskDefinition = cloud.ecs().registerTaskDefinition(b -> b.family(service).cpu("256").memory("512")
                .containerDefinitions(c -> c.name("worker").image("coscale/worker:unmanaged").essential(true)
                        .stopTimeout(30).environment(KeyValuePair.builder().name("QUEUE_URL").value(queueUrl).build())))
                .taskDefinition().taskDefinitionArn();
        cloud.ecs().createService(b -> b.cluster("local").serviceName(service).taskDefinition(taskDefinition).desiredCount(1));
        try {
            await().atMost(SCENARIO).untilAsserted(() -> assertThat(taskArns(service, DesiredStatus.STOPPED))
                    .as("tasks of the unmanaged service that exited on their own").isNotEmpty());
        } finally {
            cloud.ecs().updateService(b -> b.cluster("local").service(service).desiredCount(0));
        }
        await().atMost(SCENARIO).untilAsserted(() -> assertThat(taskArns(service, DesiredStatus.RUNNING))
                .as("running tasks of the unmanaged service").isEmpty());
        List<Message> left = cloud.sqs().receiveMessage(b -> b.queueUrl(queueUrl).waitTimeSeconds(1)
                .messageSystemAttributeNames(MessageSystemAttributeName.APPROXIMATE_RECEIVE_COUNT)).messages();
        assertThat(left).as("the message on the forbidden task's queue").hasSize(1);
        assertThat(left.get(0).attributes().get(MessageSystemAttributeName.APPROXIMATE_RECEIVE_COUNT))
                .as("its receives, this one included (more: the worker received after the 403)").isEqualTo("1");
    }

    /** The emulator's counters a row compares before and after its scenario. */
    private record Counts(long received, long completed, long failed, long interrupted, long started,
            long busyStops, long failedExits) {

        void assertNoBusyStopAndCleanExits(Counts after) {
            assertThat(after.busyStops).as("busy tasks stopped").isEqualTo(busyStops);
            assertThat(after.failedExits).as("workers that exited non-zero").isEqualTo(failedExits);
        }
    }

    private Counts counts() {
        JsonNode s = cloud.stats();
        return new Counts(s.path("jobsReceived").asLong(), s.path("jobsCompleted").asLong(), s.path("jobsFailed").asLong(),
                s.path("jobsInterrupted").asLong(), s.path("tasksStarted").asLong(),
                s.path("tasksStoppedWhileBusy").asLong(), s.path("workerExitsFailed").asLong());
    }

    private void awaitReceived(long received) {
        await().atMost(SCENARIO).pollInterval(Duration.ofMillis(50))
                .until(() -> cloud.stat("jobsReceived") >= received);
    }

    private void awaitDoneAndSettled(long jobsCompleted) {
        await().atMost(SCENARIO).untilAsserted(() ->
                assertThat(cloud.stat("jobsCompleted")).as("jobs completed").isEqualTo(jobsCompleted));
        awaitSettled();
    }

    /** The pool back at 0 tasks, every task's process exited. */
    private void awaitSettled() {
        await().atMost(SCENARIO).untilAsserted(() -> {
            assertThat(cloud.status().path("desiredCount").asInt(-1)).as("desiredCount").isZero();
            assertThat(taskArns("demo", DesiredStatus.RUNNING)).as("running tasks").isEmpty();
        });
        await().atMost(Duration.ofSeconds(40)).untilAsserted(() -> {
            JsonNode s = cloud.stats();
            assertThat(s.path("tasksStarted").asLong()).as("tasks started and not yet stopped")
                    .isEqualTo(s.path("tasksStopped").asLong() - s.path("tasksStoppedBeforeStart").asLong());
        });
    }

    private List<String> taskArns(String service, DesiredStatus desiredStatus) {
        return cloud.ecs().listTasks(b -> b.cluster("local").serviceName(service).desiredStatus(desiredStatus)).taskArns();
    }
}
