package io.coscale.bench;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.coscale.local.LocalCloud;
import io.coscale.local.LocalCloudTestResource;
import io.coscale.local.ecs.EcsEmulator;
import io.coscale.local.ecs.EmulatorStats;
import io.coscale.local.ecs.FaultInjector;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.ecs.model.DesiredStatus;
import software.amazon.awssdk.services.ecs.model.Task;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * SPEC §7 chaos run, as far as one {@code @QuarkusTest} JVM allows: protect mode, a cluster smaller than the
 * demand (capacity 3, maxTasks 8), jobs of random lengths submitted in waves from concurrent clients, while a
 * seeded chaos thread kills a random RUNNING demo task with StopTask every ~2 s (the killed job comes back through
 * the SQS visibility timeout, 5 s here) and toggles ECS faults (ServerException and latency on UpdateService,
 * UpdateTaskProtection, DescribeTasks). Checks correctness only: every job completed, queue and DLQ empty,
 * no busy task stopped by a scale-in, desiredCount back to minTasks and never outside [0, maxTasks].
 * Not covered: killing and restarting coscale (it is this JVM), and SQS faults (ElasticMQ injects none).
 */
@QuarkusTest
@QuarkusTestResource(LocalCloudTestResource.class)
@TestProfile(ChaosBenchmark.Chaos.class)
@Tag("benchmark")
class ChaosBenchmark {

    public static class Chaos implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of(
                    "coscale.local.cluster-capacity", "3",
                    "coscale.pools.demo.mode", "protect",
                    "coscale.pools.demo.max-tasks", "8",
                    "coscale.pools.demo.min-tasks", "0",
                    "coscale.local.demo-visibility-timeout", "5s",
                    "coscale.reconcile.interval", "2s");
        }
    }

    private static final int MAX_TASKS = 8;
    private static final int MIN_TASKS = 0;
    private static final List<String> FAULTED = List.of("UpdateService", "UpdateTaskProtection", "DescribeTasks");
    private static final ObjectMapper JSON = new ObjectMapper();

    @Inject
    LocalCloud localCloud;

    @Inject
    EcsClient ecs;

    @Inject
    SqsClient sqs;

    @TestHTTPResource("/v1/pools/demo/jobs")
    URI jobsUri;

    @TestHTTPResource("/v1/pools/demo")
    URI poolUri;

    @Test
    void everyJobCompletesThroughTaskDeathsAndEcsFaults() throws Exception {
        int jobs = Bench.knob("chaos.jobs", 150);
        int waves = Bench.knob("chaos.waves", 5);
        int clients = Bench.knob("chaos.clients", 6);
        long seed = Long.getLong("bench.chaos.seed", 42L);
        long chaosCapMillis = Bench.knob("chaos.max-seconds", 70) * 1000L;
        EcsEmulator emulator = localCloud.emulator().orElseThrow();
        Bench.awaitPoolKnown("demo");
        String queueUrl = sqs.getQueueUrl(b -> b.queueName("demo")).queueUrl();
        String dlqUrl = sqs.getQueueUrl(b -> b.queueName("demo-dlq")).queueUrl();
        // The demo queue dead-letters a job after 3 receives. A kill every ~2 s on a 3-task cluster can hit the same
        // (long) job three times, and SQS then does what it is told: the job goes to the DLQ. That is the redrive
        // policy working, not coscale losing a job, so the run raises it (printed); -Dbench.chaos.max-receive-count=3
        // keeps the demo's own.
        int maxReceiveCount = Bench.knob("chaos.max-receive-count", 10);
        String dlqArn = sqs.getQueueAttributes(b -> b.queueUrl(dlqUrl).attributeNames(QueueAttributeName.QUEUE_ARN))
                .attributes().get(QueueAttributeName.QUEUE_ARN);
        sqs.setQueueAttributes(b -> b.queueUrl(queueUrl).attributes(Map.of(QueueAttributeName.REDRIVE_POLICY,
                "{\"deadLetterTargetArn\":\"" + dlqArn + "\",\"maxReceiveCount\":\"" + maxReceiveCount + "\"}")));

        EmulatorStats.Snapshot before = emulator.stats().snapshot();
        Random jobRandom = new Random(seed);
        List<String> payloads = new ArrayList<>();
        for (int i = 0; i < jobs; i++) {
            payloads.add(String.format(Locale.ROOT, "{\"payload\": {\"seconds\": %.2f}}", jobRandom.nextDouble() * 2.0));
        }

        AtomicBoolean running = new AtomicBoolean(true);
        // Sampler: desiredCount every 100 ms.
        AtomicInteger maxDesired = new AtomicInteger(Integer.MIN_VALUE);
        AtomicInteger minDesired = new AtomicInteger(Integer.MAX_VALUE);
        AtomicLong samples = new AtomicLong();
        AtomicLong sampleErrors = new AtomicLong();
        ConcurrentLinkedQueue<String> outOfBounds = new ConcurrentLinkedQueue<>();
        Thread sampler = new Thread(() -> {
            HttpClient http = Bench.httpClient();
            while (running.get()) {
                try {
                    HttpResponse<String> r = http.send(HttpRequest.newBuilder(poolUri).GET().build(),
                            HttpResponse.BodyHandlers.ofString());
                    JsonNode d = JSON.readTree(r.body()).path("desiredCount");
                    if (!d.isNull() && !d.isMissingNode()) {
                        int n = d.asInt();
                        samples.incrementAndGet();
                        maxDesired.accumulateAndGet(n, Math::max);
                        minDesired.accumulateAndGet(n, Math::min);
                        if (n < MIN_TASKS || n > MAX_TASKS) {
                            outOfBounds.add("sample desiredCount=" + n);
                        }
                    }
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    return;
                } catch (Exception e) {
                    sampleErrors.incrementAndGet();
                }
            }
        }, "chaos-sampler");

        // Chaos: every ~2 s kill a random RUNNING demo task; toggle ECS faults.
        Random chaosRandom = new Random(seed + 1);
        AtomicInteger kills = new AtomicInteger();
        AtomicInteger killAttemptsFailed = new AtomicInteger();
        AtomicInteger faultWindows = new AtomicInteger();
        AtomicLong faultedCallsInWindows = new AtomicLong();
        AtomicLong faultOnSince = new AtomicLong();
        ConcurrentLinkedQueue<String> chaosLog = new ConcurrentLinkedQueue<>();
        EcsCalls calls = EcsCalls.attach(emulator);
        long t0 = System.nanoTime();
        Thread chaos = new Thread(() -> {
            boolean faultsOn = false;
            while (running.get()) {
                try {
                    Thread.sleep(1500 + chaosRandom.nextInt(1000));
                } catch (InterruptedException e) {
                    break;
                }
                if (!running.get()) {
                    break;
                }
                try {
                    List<String> arns = ecs.listTasks(b -> b.cluster("local").serviceName("demo")
                            .desiredStatus(DesiredStatus.RUNNING)).taskArns();
                    List<Task> runningTasks = arns.isEmpty() ? List.of()
                            : ecs.describeTasks(b -> b.cluster("local").tasks(arns)).tasks().stream()
                                    .filter(t -> "RUNNING".equals(t.lastStatus())).toList();
                    if (!runningTasks.isEmpty()) {
                        Task victim = runningTasks.get(chaosRandom.nextInt(runningTasks.size()));
                        ecs.stopTask(b -> b.cluster("local").task(victim.taskArn()).reason("chaos: random task death"));
                        kills.incrementAndGet();
                        chaosLog.add(String.format(Locale.ROOT, "+%.1fs kill %s", (System.nanoTime() - t0) / 1e9,
                                victim.taskArn().substring(victim.taskArn().lastIndexOf('/') + 1, victim.taskArn().lastIndexOf('/') + 9)));
                    }
                } catch (RuntimeException e) {
                    killAttemptsFailed.incrementAndGet();
                }
                boolean next = chaosRandom.nextBoolean();
                if (next && !faultsOn) {
                    long latency = 100 + chaosRandom.nextInt(201);
                    FAULTED.forEach(a -> emulator.faults().set(a,
                            new FaultInjector.Fault(Duration.ofMillis(latency), 0.2, "ServerException")));
                    faultWindows.incrementAndGet();
                    faultOnSince.set(calls.calls().size());
                    chaosLog.add(String.format(Locale.ROOT, "+%.1fs faults on (20%% ServerException, %d ms)",
                            (System.nanoTime() - t0) / 1e9, latency));
                } else if (!next && faultsOn) {
                    emulator.faults().clear();
                    faultedCallsInWindows.addAndGet(countFaultedSince(calls, (int) faultOnSince.get()));
                    chaosLog.add(String.format(Locale.ROOT, "+%.1fs faults off", (System.nanoTime() - t0) / 1e9));
                }
                faultsOn = next;
            }
            if (faultsOn) {
                emulator.faults().clear();
                faultedCallsInWindows.addAndGet(countFaultedSince(calls, (int) faultOnSince.get()));
            }
        }, "chaos-monkey");

        sampler.start();
        chaos.start();

        // Waves of submissions from concurrent clients.
        int accepted = 0;
        int perWave = (jobs + waves - 1) / waves;
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        try {
            for (int w = 0; w < waves; w++) {
                List<Future<Integer>> answers = new ArrayList<>();
                HttpClient http = Bench.httpClient();
                for (int i = w * perWave; i < Math.min(jobs, (w + 1) * perWave); i++) {
                    String body = payloads.get(i);
                    answers.add(pool.submit(() -> Bench.submit(http, jobsUri, body)));
                }
                for (Future<Integer> a : answers) {
                    if (a.get() == 202) {
                        accepted++;
                    }
                }
                Thread.sleep(4_000 + new Random(seed + 2 + w).nextInt(2_000));
            }
        } finally {
            pool.shutdownNow();
        }

        // Chaos until every job is done (or the cap), then calm.
        long completed;
        while ((completed = emulator.stats().snapshot().jobsCompleted() - before.jobsCompleted()) < jobs
                && (System.nanoTime() - t0) / 1_000_000 < chaosCapMillis) {
            Thread.sleep(200);
        }
        long chaosMillis = (System.nanoTime() - t0) / 1_000_000;
        long allDoneMillis = completed >= jobs ? chaosMillis : -1;
        running.set(false);
        chaos.interrupt();
        chaos.join(5_000);
        emulator.faults().clear();

        // Settle: queue empty, pool at minTasks, no task left.
        long settleDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(Bench.knob("chaos.settle-seconds", 30));
        JsonPath status = given().get("/v1/pools/demo").then().extract().jsonPath();
        long[] depth = queueDepth(queueUrl);
        while (System.nanoTime() < settleDeadline) {
            status = given().get("/v1/pools/demo").then().extract().jsonPath();
            depth = queueDepth(queueUrl);
            completed = emulator.stats().snapshot().jobsCompleted() - before.jobsCompleted();
            Integer desired = status.getObject("desiredCount", Integer.class);
            if (completed >= jobs && allDoneMillis < 0) {
                allDoneMillis = (System.nanoTime() - t0) / 1_000_000;
            }
            if (completed >= jobs && desired != null && desired == MIN_TASKS && depth[0] + depth[1] + depth[2] == 0
                    && emulator.stats().snapshot().jobsCompleted() - before.jobsCompleted() >= jobs
                    && zeroActive(status)) {
                break;
            }
            Thread.sleep(250);
        }
        long totalMillis = (System.nanoTime() - t0) / 1_000_000;
        // A few more samples at rest, then stop the sampler.
        Thread.sleep(500);
        sampler.interrupt();
        sampler.join(2_000);
        calls.close();

        EmulatorStats.Snapshot after = emulator.stats().snapshot();
        long[] dlq = queueDepth(dlqUrl);
        List<String> deadLettered = new ArrayList<>();
        if (dlq[0] > 0) {
            sqs.receiveMessage(b -> b.queueUrl(dlqUrl).maxNumberOfMessages(10).visibilityTimeout(1)
                    .messageSystemAttributeNamesWithStrings("ApproximateReceiveCount", "SentTimestamp"))
                    .messages().forEach(m -> deadLettered.add(m.body() + " receives=" + m.attributesAsStrings()
                            .get("ApproximateReceiveCount")));
        }
        JsonPath events = given().get("/v1/pools/demo/events?limit=1000").then().statusCode(200).extract().jsonPath();
        List<Map<String, Object>> eventList = events.getList("$");
        List<String> badEvents = new ArrayList<>();
        int maxEventCount = Integer.MIN_VALUE;
        long errorEvents = 0;
        for (Map<String, Object> e : eventList) {
            for (String k : List.of("from", "to")) {
                Object v = e.get(k);
                if (v instanceof Number n) {
                    maxEventCount = Math.max(maxEventCount, n.intValue());
                    if (n.intValue() < MIN_TASKS || n.intValue() > MAX_TASKS) {
                        badEvents.add(e.toString());
                    }
                }
            }
            if ("error".equals(e.get("kind"))) {
                errorEvents++;
            }
        }
        List<String> errorReasons = eventList.stream().filter(e -> "error".equals(e.get("kind")))
                .map(e -> e.get("at") + " " + e.get("reason")).toList();
        List<String> lastEvents = eventList.stream().limit(8)
                .map(e -> e.get("kind") + " " + e.get("from") + "->" + e.get("to") + " (" + e.get("reason") + ")").toList();

        long jobsCompleted = after.jobsCompleted() - before.jobsCompleted();
        long busyByScaleIn = after.tasksStoppedWhileBusy() - before.tasksStoppedWhileBusy();
        Integer finalDesired = status.getObject("desiredCount", Integer.class);
        long updateServiceCalls = after.apiCalls("UpdateService") - before.apiCalls("UpdateService");

        List<String> lines = new ArrayList<>();
        lines.add(String.format(Locale.ROOT, "protect mode, cluster capacity 3, maxTasks %d, seed %d; %d jobs (0-2 s) in %d waves "
                + "from %d clients, %d accepted", MAX_TASKS, seed, jobs, waves, clients, accepted));
        lines.add(String.format(Locale.ROOT, "duration: chaos phase %.1f s (capped at %d s), last job done %s, settled "
                + "(desiredCount %s, queue empty, no task) +%.1f s", chaosMillis / 1e3, chaosCapMillis / 1000,
                allDoneMillis < 0 ? "never" : String.format(Locale.ROOT, "+%.1f s", allDoneMillis / 1e3), finalDesiredText(status), totalMillis / 1e3));
        lines.add(String.format(Locale.ROOT, "jobs completed %d (>= %d), failed %d, interrupted %d; queue visible/inFlight/delayed %d/%d/%d, "
                + "DLQ %d/%d/%d", jobsCompleted, jobs, after.jobsFailed() - before.jobsFailed(),
                after.jobsInterrupted() - before.jobsInterrupted(), depth[0], depth[1], depth[2], dlq[0], dlq[1], dlq[2]));
        lines.add("demo queue redrive: maxReceiveCount " + maxReceiveCount + " for this run (demo default 3)"
                + (deadLettered.isEmpty() ? "" : "; dead-lettered: " + deadLettered));
        lines.add(String.format(Locale.ROOT, "tasks started %d, stopped %d; StopTask kills %d (chaos rounds failed by faults %d)",
                after.tasksStarted() - before.tasksStarted(), after.tasksStopped() - before.tasksStopped(), kills.get(),
                killAttemptsFailed.get()));
        lines.add(String.format(Locale.ROOT, "faults: %d windows of 20%% ServerException + 100-300 ms on %s; %d calls to those "
                + "actions received during the windows (~20%% failed: the injector keeps no count); coscale error events %d",
                faultWindows.get(), FAULTED, faultedCallsInWindows.get(), errorEvents));
        lines.add(String.format(Locale.ROOT, "UpdateService calls %d, throttled by ECS %d", updateServiceCalls,
                after.throttled() - before.throttled()));
        lines.add(String.format(Locale.ROOT, "desiredCount: max seen %d (samples), max in events %d, min seen %d; %d samples, "
                + "%d sample errors; final %s", maxDesired.get(), maxEventCount, minDesired.get(), samples.get(),
                sampleErrors.get(), finalDesired));
        lines.add("busy tasks stopped by a scale-in: " + busyByScaleIn + " (StopTask kills are not counted there: "
                + "ServiceScheduler counts only its own scale-in victims; they show as jobs interrupted)");
        lines.add("coscale error events: " + errorReasons);
        lines.add("not covered: coscale restart (coscale is this test's JVM; not approximated)");
        lines.add("not covered: SQS faults (ElasticMQ has no fault injection)");
        lines.add("chaos log: " + List.copyOf(chaosLog));
        lines.add("last events, newest first: " + lastEvents);
        Figures.print("chaos", lines);

        assertThat(accepted).as("every submission accepted").isEqualTo(jobs);
        assertThat(jobsCompleted).as("every job completed").isGreaterThanOrEqualTo(jobs);
        assertThat(depth).as("demo queue empty (visible, inFlight, delayed)").containsOnly(0L);
        assertThat(dlq).as("DLQ empty (visible, inFlight, delayed)").containsOnly(0L);
        assertThat(busyByScaleIn).as("tasks stopped by a scale-in while busy").isZero();
        assertThat(finalDesired).as("desiredCount back at minTasks").isEqualTo(MIN_TASKS);
        assertThat(List.copyOf(outOfBounds)).as("sampled desiredCount within [0, 8]").isEmpty();
        assertThat(badEvents).as("event from/to within [0, 8]").isEmpty();
    }

    private static String finalDesiredText(JsonPath status) {
        return String.valueOf(status.getObject("desiredCount", Integer.class));
    }

    private static boolean zeroActive(JsonPath status) {
        Integer running = status.getObject("runningCount", Integer.class);
        Integer pending = status.getObject("pendingCount", Integer.class);
        return (running == null || running == 0) && (pending == null || pending == 0);
    }

    private static long countFaultedSince(EcsCalls calls, int from) {
        List<EcsCalls.Call> all = calls.calls();
        return all.subList(Math.min(from, all.size()), all.size()).stream().filter(c -> FAULTED.contains(c.action())).count();
    }

    private long[] queueDepth(String url) {
        Map<QueueAttributeName, String> a = sqs.getQueueAttributes(b -> b.queueUrl(url).attributeNames(
                QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES, QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE,
                QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_DELAYED)).attributes();
        return new long[] {Long.parseLong(a.get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES)),
                Long.parseLong(a.get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE)),
                Long.parseLong(a.get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_DELAYED))};
    }
}
