package io.coscale.bench.chaos;

import com.fasterxml.jackson.databind.JsonNode;
import io.coscale.deploy.RecordedAwsCalls;
import io.coscale.e2e.AppProcess;
import io.coscale.local.LocalCloudTestResource;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.jboss.logging.Logger;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.ecs.model.KeyValuePair;
import software.amazon.awssdk.services.ecs.model.Service;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * One chaos run (docs/BENCHMARKS.md, "The chaos run") in one mode, with coscale in its own process: the local cloud runs as a
 * {@code cloud}-profile process and coscale as an {@code attached}-profile one, so that coscale can be killed -9
 * and restarted while the cloud, its tasks and its queues live on. Meanwhile jobs of random lengths arrive in
 * waves on a cluster smaller than the demand, every fault the cloud has is switched on and off, workers claim
 * 0.2–1.5 s after their receive, and one worker deployment rolls mid-run. What it measures comes from the cloud's
 * counters, which no coscale restart resets.
 */
final class ChaosRun {

    private static final Logger LOG = Logger.getLogger(ChaosRun.class);
    private static final String CLUSTER = "local";
    private static final String SERVICE = "demo";

    /** How one run is set up. */
    record Settings(String mode, int jobs, int waves, int clients, int kills, long seed, int capacity, int maxTasks,
            Duration cap, Path logs) {
    }

    private final Settings s;
    private final Random random;
    private final int sqsPort = LocalCloudTestResource.freePort();
    private final int ecsPort = LocalCloudTestResource.freePort();
    private final int cloudPort = LocalCloudTestResource.freePort();
    private final int coscalePort = LocalCloudTestResource.freePort();
    private final AtomicBoolean chaos = new AtomicBoolean(true);
    private final AtomicBoolean bursting = new AtomicBoolean();
    private final AtomicInteger minDesired = new AtomicInteger(Integer.MAX_VALUE);
    private final AtomicInteger maxDesired = new AtomicInteger(Integer.MIN_VALUE);
    private final AtomicLong atMinSince = new AtomicLong(-1);
    private final ConcurrentLinkedQueue<String> outOfBounds = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<String> killLog = new ConcurrentLinkedQueue<>();
    private final AtomicInteger faultWindows = new AtomicInteger();
    private final long t0 = System.nanoTime();

    ChaosRun(Settings settings) {
        this.s = settings;
        this.random = new Random(settings.seed());
    }

    ChaosFigures run() throws Exception {
        CloudClient cloud = new CloudClient(cloudPort);
        Map.Entry<String, String> recordCalls = RecordedAwsCalls.property();
        try (AppProcess cloudProcess = new AppProcess("cloud", "cloud", Map.of(
                "quarkus.http.port", Integer.toString(cloudPort),
                "coscale.local.sqs-port", Integer.toString(sqsPort),
                "coscale.local.ecs-port", Integer.toString(ecsPort),
                "coscale.local.coscale-url", "http://127.0.0.1:" + coscalePort,
                "coscale.local.cluster-capacity", Integer.toString(s.capacity()),
                "coscale.local.demo-visibility-timeout", "5s",
                "coscale.local.worker-first-wait", "1s",
                "coscale.local.worker-claim-delay", "200-1500", recordCalls.getKey(), recordCalls.getValue()), s.logs().resolve(s.mode() + "-cloud.log"), cloud.statsUri());
                AppProcess coscale = new AppProcess("coscale", "attached", Map.of(
                        "quarkus.http.port", Integer.toString(coscalePort),
                        "coscale.local.sqs-port", Integer.toString(sqsPort),
                        "coscale.local.ecs-port", Integer.toString(ecsPort),
                        "coscale.pools.demo.mode", s.mode(),
                        "coscale.pools.demo.max-tasks", Integer.toString(s.maxTasks()),
                        "coscale.pools.demo.min-tasks", "0",
                        "coscale.reconcile.interval", "2s"), s.logs().resolve(s.mode() + "-coscale.log"),
                        URI.create("http://127.0.0.1:" + coscalePort + "/q/health/live"));
                EcsClient ecs = ecsClient();
                SqsClient sqs = sqsClient()) {
            cloudProcess.start(Duration.ofSeconds(60));
            coscale.start(Duration.ofSeconds(60));
            String queueUrl = sqs.getQueueUrl(b -> b.queueName("demo")).queueUrl();
            String dlqUrl = sqs.getQueueUrl(b -> b.queueName("demo-dlq")).queueUrl();
            raiseMaxReceiveCount(sqs, queueUrl, dlqUrl);
            JsonNode before = cloud.stats();

            Submitter submitter = new Submitter(URI.create("http://127.0.0.1:" + coscalePort + "/v1/pools/demo/jobs"),
                    s.clients(), bursting);
            Thread killer = thread("killer", () -> killAndRestart(coscale, cloud));
            List<Thread> threads = List.of(
                    thread("sampler", () -> sample(ecs)),
                    thread("faults", () -> toggleFaults(cloud)),
                    killer);
            threads.forEach(Thread::start);

            List<String> payloads = payloads();
            int perWave = (s.jobs() + s.waves() - 1) / s.waves();
            for (int w = 0; w < s.waves(); w++) {
                submitter.wave(payloads.subList(w * perWave, Math.min(s.jobs(), (w + 1) * perWave)));
                if (w == s.waves() / 2) {
                    deployNewWorkerVersion(ecs, queueUrl);
                }
                Thread.sleep(4_000 + random.nextInt(4_000));
            }

            // Chaos goes on until every job is done and every kill made, or the cap. A job is done when its message
            // is gone from the queue (visible, in flight, delayed): the worker deletes it only after its work.
            // (Counting deletes would not do: a worker killed mid-delete may still delete, and its task is gone.)
            long deadline = t0 + s.cap().toNanos();
            long allDoneAt = -1;
            while (System.nanoTime() < deadline && (allDoneAt < 0 || killer.isAlive())) {
                if (allDoneAt < 0 && queueEmpty(sqs, queueUrl) && queueEmpty(sqs, queueUrl)) {
                    allDoneAt = System.nanoTime();
                }
                Thread.sleep(250);
            }
            chaos.set(false);
            for (Thread t : threads.subList(1, 3)) {
                t.join(60_000);
            }
            cloud.clearFaults();
            if (!coscale.isAlive()) {
                coscale.start(Duration.ofSeconds(60));
            }
            // Settle: back to minTasks with no task left.
            if (allDoneAt < 0) {
                allDoneAt = System.nanoTime();
            }
            long settleDeadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
            while (System.nanoTime() < settleDeadline && !settled(ecs)) {
                Thread.sleep(250);
            }
            threads.get(0).interrupt();
            threads.get(0).join(5_000);
            long minAt = atMinSince.get();
            double backToMin = settled(ecs) ? Math.max(0, (Math.max(minAt, allDoneAt) - allDoneAt) / 1e9) : -1;
            JsonNode after = cloud.stats();
            return figures(before, after, submitter, depth(sqs, queueUrl), depth(sqs, dlqUrl), backToMin, coscale);
        }
    }

    private ChaosFigures figures(JsonNode before, JsonNode after, Submitter submitter, long queueLeft, long dlq,
            double backToMin, AppProcess coscale) {
        Delta d = new Delta(before, after);
        return new ChaosFigures(s.mode(), s.jobs(), submitter.accepted(), submitter.attempts(), submitter.refusals(),
                d.of("jobsCompleted"), queueLeft, dlq, d.of("tasksStoppedWhileBusy"), d.of("taskDeaths"),
                d.of("taskDeathsWhileBusy"), d.of("jobsInterrupted"), d.of("jobsReturned"), d.of("tasksStoppedByDeployment"),
                d.of("deploymentsCompleted"), d.of("desiredCountLowered"), d.of("exitRecordsStopped"), d.of("workerExitsClean"), d.of("workerExitsFailed"),
                minDesired.get(), maxDesired.get(), List.copyOf(outOfBounds), backToMin,
                d.call("UpdateService"), d.call("UpdateTaskProtection"), d.of("throttled"), d.of("faultsBeforeApply"),
                d.of("faultsAfterApply"), d.of("connectionsDropped"), d.of("staleReads"),
                after.path("sqsProxy").path("errors").asLong(), after.path("sqsProxy").path("resets").asLong(),
                coscale.starts() - 1, List.copyOf(killLog), faultWindows.get(), (System.nanoTime() - t0) / 1e9);
    }

    /** Counter differences between two stats answers. */
    private record Delta(JsonNode before, JsonNode after) {
        long of(String counter) {
            return after.path(counter).asLong() - before.path(counter).asLong();
        }

        long call(String action) {
            return after.path("apiCalls").path(action).asLong() - before.path("apiCalls").path(action).asLong();
        }
    }

    private List<String> payloads() {
        List<String> payloads = new ArrayList<>();
        for (int i = 0; i < s.jobs(); i++) {
            payloads.add(String.format(Locale.ROOT, "{\"payload\": {\"seconds\": %.2f, \"job\": %d}}",
                    random.nextDouble() * 5.0, i));
        }
        return payloads;
    }

    /** desiredCount as ECS shows it, every 100 ms: its extremes, and when it last reached minTasks (0). */
    private void sample(EcsClient ecs) {
        while (!Thread.currentThread().isInterrupted()) {
            try {
                int desired = service(ecs).desiredCount();
                minDesired.accumulateAndGet(desired, Math::min);
                maxDesired.accumulateAndGet(desired, Math::max);
                if (desired < 0 || desired > s.maxTasks()) {
                    outOfBounds.add(String.format(Locale.ROOT, "+%.1fs desiredCount=%d", elapsed(), desired));
                }
                if (desired == 0) {
                    atMinSince.compareAndSet(-1, System.nanoTime());
                } else {
                    atMinSince.set(-1);
                }
                Thread.sleep(100);
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                // an injected ECS fault on the sampler's own read: the next sample will do
            }
        }
    }

    /** Every 2–4 s, every fault on (with random strengths) or off; task deaths ride with the rest. */
    private void toggleFaults(CloudClient cloud) {
        boolean on = false;
        while (chaos.get()) {
            try {
                Thread.sleep(2_000 + random.nextInt(2_000));
                on = random.nextBoolean();
                if (on) {
                    faultWindows.incrementAndGet();
                    cloud.faults(String.format(Locale.ROOT, "{\"ecs\": {\"*\": {\"latencyMs\": %d, \"errorRate\": 0.1, "
                            + "\"errorType\": \"%s\", \"afterApplyErrorRate\": 0.1, \"afterApplyDropRate\": 0.05}}, "
                            + "\"ecsStaleReadsMs\": %d, \"taskDeathsPerMinute\": 6, "
                            + "\"sqs\": {\"latencyMs\": %d, \"errorRate\": 0.05, \"resetRate\": 0.03}}",
                            20 + random.nextInt(100), random.nextBoolean() ? "ServerException" : "ThrottlingException",
                            500 + random.nextInt(2_500), random.nextInt(50)));
                } else {
                    cloud.clearFaults();
                }
            } catch (InterruptedException e) {
                return;
            } catch (Exception e) {
                LOG.warnf("chaos: fault switch failed: %s", e.getMessage());
            }
        }
    }

    /**
     * Kills coscale -9 {@code kills} times, and restarts it at once as ECS would replace it: in turn mid-burst (while
     * a wave is being submitted), mid-release (the moment the cloud sees a lowering UpdateService, before the worker
     * has its answer) and at a random moment.
     */
    private void killAndRestart(AppProcess coscale, CloudClient cloud) {
        try {
            for (int i = 0; i < s.kills() && chaos.get(); i++) {
                String kind = switch (i % 3) {
                    case 0 -> awaitBurst() ? "mid-burst" : "random";
                    case 1 -> awaitRelease(cloud) ? "mid-release" : "random";
                    default -> {
                        Thread.sleep(2_000 + random.nextInt(4_000));
                        yield "random";
                    }
                };
                if (!chaos.get()) {
                    return;
                }
                coscale.kill9();
                long down = System.nanoTime();
                coscale.start(Duration.ofSeconds(60));
                killLog.add(String.format(Locale.ROOT, "+%.1fs %s (back in %.1f s)", elapsed(), kind,
                        (System.nanoTime() - down) / 1e9));
                Thread.sleep(2_000 + random.nextInt(2_000));
            }
        } catch (Exception e) {
            LOG.errorf(e, "chaos: killing or restarting coscale failed");
        }
    }

    private boolean awaitBurst() throws InterruptedException {
        long until = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!bursting.get() && System.nanoTime() < until && chaos.get()) {
            Thread.sleep(10);
        }
        Thread.sleep(random.nextInt(300));
        return bursting.get();
    }

    private boolean awaitRelease(CloudClient cloud) throws Exception {
        long base = cloud.stats().path("desiredCountLowered").asLong();
        long until = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < until && chaos.get()) {
            if (cloud.stats().path("desiredCountLowered").asLong() > base) {
                return true;
            }
            Thread.sleep(20);
        }
        return false;
    }

    /** A new task definition revision, rolled out as an operator would: UpdateService with only the task definition. */
    private void deployNewWorkerVersion(EcsClient ecs, String queueUrl) {
        for (int attempt = 1; attempt <= 20; attempt++) {
            try {
                String arn = ecs.registerTaskDefinition(b -> b.family("demo-worker").cpu("256").memory("512")
                        .containerDefinitions(c -> c.name("worker").image("coscale/reference-worker:local-v2")
                                .essential(true).stopTimeout(30)
                                .environment(KeyValuePair.builder().name("QUEUE_URL").value(queueUrl).build())))
                        .taskDefinition().taskDefinitionArn();
                ecs.updateService(b -> b.cluster(CLUSTER).service(SERVICE).taskDefinition(arn));
                killLog.add(String.format(Locale.ROOT, "+%.1fs worker deployment to %s", elapsed(),
                        arn.substring(arn.lastIndexOf('/') + 1)));
                return;
            } catch (RuntimeException e) {
                LOG.infof("chaos: deployment attempt %d failed (%s); again", attempt, e.getMessage());
            }
        }
        throw new IllegalStateException("the worker deployment never went through");
    }

    private boolean settled(EcsClient ecs) {
        try {
            Service service = service(ecs);
            return service.desiredCount() == 0 && service.runningCount() == 0 && service.pendingCount() == 0;
        } catch (RuntimeException e) {
            return false;
        }
    }

    private static Service service(EcsClient ecs) {
        return ecs.describeServices(b -> b.cluster(CLUSTER).services(SERVICE)).services().get(0);
    }

    /** The demo queue dead-letters after 3 receives; kills and deaths can hit one long job that often (see docs/BENCHMARKS.md). */
    private static void raiseMaxReceiveCount(SqsClient sqs, String queueUrl, String dlqUrl) {
        String dlqArn = sqs.getQueueAttributes(b -> b.queueUrl(dlqUrl).attributeNames(QueueAttributeName.QUEUE_ARN))
                .attributes().get(QueueAttributeName.QUEUE_ARN);
        sqs.setQueueAttributes(b -> b.queueUrl(queueUrl).attributes(Map.of(QueueAttributeName.REDRIVE_POLICY,
                "{\"deadLetterTargetArn\":\"" + dlqArn + "\",\"maxReceiveCount\":\"20\"}")));
    }

    private static boolean queueEmpty(SqsClient sqs, String url) {
        try {
            return depth(sqs, url) == 0;
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** Visible + in flight + delayed. */
    private static long depth(SqsClient sqs, String url) {
        Map<QueueAttributeName, String> a = sqs.getQueueAttributes(b -> b.queueUrl(url).attributeNames(
                QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES, QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE,
                QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_DELAYED)).attributes();
        return a.values().stream().mapToLong(Long::parseLong).sum();
    }

    private EcsClient ecsClient() {
        return EcsClient.builder().endpointOverride(URI.create("http://127.0.0.1:" + ecsPort)).region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("test-harness", "test-harness")))
                .httpClient(UrlConnectionHttpClient.create()).build();
    }

    private SqsClient sqsClient() {
        return SqsClient.builder().endpointOverride(URI.create("http://127.0.0.1:" + sqsPort)).region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("test-harness", "test-harness")))
                .httpClient(UrlConnectionHttpClient.create()).build();
    }

    private double elapsed() {
        return (System.nanoTime() - t0) / 1e9;
    }

    private static Thread thread(String name, Runnable body) {
        Thread t = new Thread(body, "chaos-" + name);
        t.setDaemon(true);
        return t;
    }

    static HttpClient http() {
        return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(2)).build();
    }
}
