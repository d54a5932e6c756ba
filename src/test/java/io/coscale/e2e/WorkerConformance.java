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
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * The conformance kit: grades a worker, run as every task of a {@link ConformanceCloud}'s demo pool, through one
 * scenario per guarantee the worker protocol needs, with the fault each is about, and prints one row per guarantee
 * (pass / fail / why). docs/API.md links each rule of the protocol to its row by the row's id.
 * <p>
 * What the kit expects of a worker: the environment the local cloud gives every task ({@code COSCALE_URL},
 * {@code QUEUE_URL}, {@code ECS_CONTAINER_METADATA_URI_V4}, {@code AWS_ENDPOINT_URL_SQS}, credentials), each message's
 * fate reported as coscale-run does with {@code COSCALE_LOCAL_JOB_EVENTS=1}, a job {@code {"seconds": 1}} that works
 * about a second and succeeds, and a job {@code {"fail": true}} that fails (a worker that completes it gets {@code n/a}
 * on the failing-job row: not graded, not a pass).
 */
final class WorkerConformance {

    /** The guarantees, each one row; the id is the row's anchor in docs/API.md ("Conformance rows"). */
    enum Guarantee {
        CLAIM_FIRST("claim-first", "a task claims before it receives: no message is held by a task ECS does not protect"),
        SCALE_IN("scale-in", "a scale-in while tasks are busy stops none of them; every worker exits 0"),
        DRAIN("drain", "a deployment while jobs keep coming: old tasks drain after their job, none is stopped busy"),
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

    /** A row: {@code pass}, {@code fail}, or {@code n/a} when the worker never did what the row grades. */
    record Row(Guarantee guarantee, String grade, String why, long seconds) {
        boolean failed() {
            return grade.equals("fail");
        }

        boolean notApplicable() {
            return grade.equals("n/a");
        }
    }

    /** Thrown by a scenario whose worker never did what the row grades: the row is n/a, neither pass nor fail. */
    private static final class NotApplicable extends RuntimeException {
        NotApplicable(String why) {
            super(why, null, false, false);
        }
    }

    @FunctionalInterface
    private interface Scenario {
        void run() throws Exception;
    }

    /** The job every scenario submits: a second of work, so that a fault can strike mid-job. */
    static final String JOB = "{\"seconds\": 1}";
    /** The job {@link Guarantee#FAILING_JOB} submits: the worker must fail it on every try. */
    static final String FAILING_JOB = "{\"fail\": true}";
    private static final Duration SCENARIO = Duration.ofSeconds(120);
    private static final int MAX_RECEIVE_COUNT = 3; // the demo queue's redrive policy
    /**
     * How long jobs keep coming in {@link Guarantee#DRAIN}: old tasks that drain leave within a job or two of the
     * rollout (seconds); old tasks that go on taking jobs hold the deployment up as long as jobs come.
     */
    private static final Duration DEPLOYMENT_UNDER_LOAD = Duration.ofSeconds(30);

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
                case CLAIM_FIRST -> this::claimBeforeReceive;
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
        long passed = rows.stream().filter(r -> r.grade().equals("pass")).count();
        long notApplicable = rows.stream().filter(Row::notApplicable).count();
        out.append(String.format("  %d of %d rows pass%s%n", passed, rows.size(),
                notApplicable == 0 ? "" : ", " + notApplicable + " n/a (not graded: not a pass)"));
        return out.toString();
    }

    private static Row grade(Guarantee guarantee, Scenario scenario) {
        long started = System.nanoTime();
        try {
            scenario.run();
            return new Row(guarantee, "pass", "", (System.nanoTime() - started) / 1_000_000_000);
        } catch (NotApplicable e) {
            return new Row(guarantee, "n/a", e.getMessage(), (System.nanoTime() - started) / 1_000_000_000);
        } catch (AssertionError | Exception e) {
            String why = String.valueOf(e.getMessage()).replaceAll("\\s+", " ");
            return new Row(guarantee, "fail", why.length() > 400 ? why.substring(0, 400) + "…" : why,
                    (System.nanoTime() - started) / 1_000_000_000);
        }
    }

    /**
     * The jobs the claim-first and scale-in rows share, to keep the kit short: eight jobs for a pool at rest; new
     * tasks take their first job and some a second, some find the queue empty and exit while others are still busy.
     */
    private record EightJobs(Counts before, Counts after, long receivedUnprotected) {
    }

    private EightJobs eightJobs;
    private RuntimeException eightJobsFailed;

    /** Every message received by a task ECS protects, as it is from its first claim on (the cloud counts the others). */
    private void claimBeforeReceive() {
        assertThat(eightJobs().receivedUnprotected())
                .as("messages received by a task ECS did not protect (received before its claim)").isZero();
    }

    private void scaleInWhileBusy() {
        EightJobs jobs = eightJobs();
        jobs.before().assertNoBusyStopAndCleanExits(jobs.after());
    }

    /** Runs the eight jobs the first time a row needs them; the next row reads what they left, or how they failed. */
    private EightJobs eightJobs() {
        if (eightJobs == null && eightJobsFailed == null) {
            try {
                Counts before = counts();
                long unprotected = cloud.stat("jobsReceivedUnprotected");
                for (int i = 0; i < 8; i++) {
                    cloud.submit(JOB);
                }
                awaitDoneAndSettled(before.completed + 8);
                eightJobs = new EightJobs(before, counts(), cloud.stat("jobsReceivedUnprotected") - unprotected);
            } catch (RuntimeException | AssertionError e) {
                eightJobsFailed = e instanceof RuntimeException r ? r : new IllegalStateException(e.getMessage(), e);
            }
        }
        if (eightJobsFailed != null) {
            throw eightJobsFailed;
        }
        return eightJobs;
    }

    /**
     * A new worker version rolled out while jobs run, and jobs kept coming (four always waiting on the queue) until
     * no task of the old revision is left: old tasks drain after their job, so they are gone within seconds; an old
     * task that ignores {@code drain} goes on taking jobs and holds the deployment up. None is stopped busy, and the
     * deployment completes.
     */
    private void deploymentMidJob() throws InterruptedException {
        Counts before = counts();
        long deployments = cloud.stat("deploymentsCompleted");
        int submitted = 4;
        for (int i = 0; i < submitted; i++) {
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
        long until = System.nanoTime() + DEPLOYMENT_UNDER_LOAD.toNanos();
        // Four jobs always waiting, so that no poll comes back empty: an old task that finds the queue empty is told to
        // exit (docs/API.md, "Release"), drain or no drain.
        int oldTasks = oldTasks(arn);
        long nextLook = System.nanoTime() + 1_000_000_000L;
        while (oldTasks > 0 && System.nanoTime() < until) {
            for (long visible = visibleOnQueue(queueUrl); visible < 4; visible++) {
                cloud.submit(JOB);
                submitted++;
            }
            Thread.sleep(100); // the pace of the top-ups, not an assertion
            if (System.nanoTime() > nextLook) {
                oldTasks = oldTasks(arn);
                nextLook = System.nanoTime() + 1_000_000_000L;
            }
        }
        oldTasks = oldTasks(arn);
        awaitDoneAndSettled(before.completed + submitted);
        assertThat(oldTasks).as("tasks of the old revision still running %d s into the deployment while jobs kept coming"
                + " (%d submitted): old tasks that take new jobs after drain hold it up", DEPLOYMENT_UNDER_LOAD.toSeconds(),
                submitted).isZero();
        await().atMost(SCENARIO).untilAsserted(() ->
                assertThat(cloud.stat("deploymentsCompleted")).as("deployments completed").isEqualTo(deployments + 1));
        before.assertNoBusyStopAndCleanExits(counts());
    }

    /**
     * A Spot interruption of the task that holds the one job: its job is done or given back before the kill. Every task
     * running then is interrupted: a queue read that crosses the submission now and then counts the job twice and
     * starts a second, idle task (submitting right after a reconcile pass makes that rare, not impossible), and an
     * idle worker must exit 0 on the signal too.
     */
    private void stopSignalMidJob() {
        Counts before = counts();
        submitRightAfterAReconcilePass(JOB);
        awaitReceived(before.received + 1);
        List<String> running = taskArns("demo", DesiredStatus.RUNNING);
        assertThat(running).as("the task working the job").isNotEmpty();
        running.forEach(arn -> cloud.stopTask(arn, "SpotInterruption"));
        await().atMost(SCENARIO).until(() -> cloud.ecs().describeTasks(b -> b.cluster("local").tasks(running)).tasks()
                .stream().allMatch(t -> t.lastStatus().equals("STOPPED")));
        for (Task stopped : cloud.ecs().describeTasks(b -> b.cluster("local").tasks(running)).tasks()) {
            assertThat(stopped.containers().get(0).exitCode()).as("the interrupted worker's exit code").isZero();
        }
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
     * coscale is down, the worker repeats its calls until the new coscale answers, the job is done once, and each exit
     * lowers the count once (a release the worker repeats answers the same decision and lowers nothing twice). The
     * exits are those of the row's tasks as ECS saw them stop, each carrying coscale's exit record: the task that
     * worked the job, and a second, idle task when a queue read crossed the submission and counted the job twice
     * (README: counted twice, never missed, until the next read), which finds the queue empty and exits in turn.
     */
    private void coscaleRestarted() throws Exception {
        Counts before = counts();
        long lowered = cloud.stat("desiredCountLowered");
        long exits = cloud.stat("exitRecordsStopped");
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
        long exited = cloud.stat("exitRecordsStopped") - exits;
        assertThat(exited).as("tasks of the row stopped with coscale's exit record (none: the job's task never exited"
                + " through a release)").isPositive();
        assertThat(cloud.stat("desiredCountLowered") - lowered).as("times the count was lowered for the %d exit(s) of"
                + " the row's tasks (more: an exit counted twice; fewer: an exit's decrement lost)", exited)
                .isEqualTo(exited);
        before.assertNoBusyStopAndCleanExits(after);
    }

    /**
     * A job that fails every try reaches the dead-letter queue after the redrive policy's tries: its last try is given
     * back at once, so that the move costs no task start of its own (at most one task start per receive).
     */
    private void jobFailingEveryTry() {
        Counts before = counts();
        long deadLetters = cloud.status().path("deadLetter").path("visible").asLong();
        // The row counts task starts: one task for the first try, not two.
        submitRightAfterAReconcilePass(FAILING_JOB);
        await().atMost(SCENARIO).until(() -> cloud.status().path("deadLetter").path("visible").asLong() > deadLetters
                || cloud.stat("jobsCompleted") > before.completed);
        if (cloud.stat("jobsCompleted") > before.completed) {
            awaitSettled();
            long failedTries = cloud.stat("jobsFailed") - before.failed;
            assertThat(failedTries).as("tries of %s that failed before it was completed", FAILING_JOB).isZero();
            throw new NotApplicable("the worker completed " + FAILING_JOB + " on its first try: it never failed a job,"
                    + " so there is no last try to give back");
        }
        assertThat(cloud.status().path("deadLetter").path("visible").asLong()).as("jobs in the dead-letter queue")
                .isEqualTo(deadLetters + 1);
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
                .as("its receives, this one included (more: the worker received though coscale refused its claim)")
                .isEqualTo("1");
    }

    /**
     * Submits a job right after a reconcile pass: a queue read that crosses a submission counts the job twice until
     * the next read (a second task for one job), which the rows that count one job's tasks must not see.
     */
    private void submitRightAfterAReconcilePass(String payload) {
        String reconciled = cloud.status().path("lastReconcileAt").asText();
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20))
                .until(() -> !cloud.status().path("lastReconcileAt").asText().equals(reconciled));
        cloud.submit(payload);
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

    /** The demo service's tasks not yet told to stop that run another task definition than {@code taskDefinitionArn}. */
    private int oldTasks(String taskDefinitionArn) {
        List<String> active = taskArns("demo", DesiredStatus.RUNNING);
        return active.isEmpty() ? 0 : (int) cloud.ecs().describeTasks(b -> b.cluster("local").tasks(active)).tasks().stream()
                .filter(t -> !t.taskDefinitionArn().equals(taskDefinitionArn)).count();
    }

    private long visibleOnQueue(String queueUrl) {
        return Long.parseLong(cloud.sqs().getQueueAttributes(b -> b.queueUrl(queueUrl)
                .attributeNames(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES)).attributes()
                .get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES));
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
