package io.coscale.bench.chaos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.coscale.e2e.AppProcess;
import io.coscale.lease.Dynalite;
import io.coscale.local.AwsCallLog;
import io.coscale.local.LocalCloudTestResource;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * What it costs to watch a pool: the SQS requests (what SQS bills) and ECS calls (a share of the account's API
 * budget) coscale makes for pools nobody uses, from the leader and from a follower, and for a pool with work flowing.
 * The local cloud runs on its own (cloud profile, SQS behind the proxy that counts every request by who signed it and
 * its action); {@code bench.watching.pools} (20) idle pools besides the demo pool, each a queue with a dead-letter
 * queue and a service with no task; two packaged replicas (attached profile, the lease on dynalite). Three windows of
 * {@code bench.watching.window} (60 s) each: the leader alone; the leader and a follower (the follower's share is the
 * difference); the same while the demo pool gets a job every 2 s (the busy pool's share is the difference, without
 * the sends of the jobs themselves, which are the submitters' cost, not watching). Per pool per hour and per month at
 * SQS's $0.40 per million requests; the target is at most $0.15 per idle pool per month, and no reconcile read from a
 * follower.
 */
@Tag("benchmark")
class WatchingCostBenchmark {

    private static final int POOLS = Integer.getInteger("bench.watching.pools", 20);
    private static final Duration WINDOW = Duration.ofSeconds(Integer.getInteger("bench.watching.window", 60));
    private static final double DOLLARS_PER_REQUEST = 0.40 / 1_000_000;
    private static final double HOURS_PER_MONTH = 730;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = ChaosRun.http();
    private static final int SQS = LocalCloudTestResource.freePort();
    private static final int ECS = LocalCloudTestResource.freePort();
    private static final int CLOUD = LocalCloudTestResource.freePort();
    private static final int A = LocalCloudTestResource.freePort();
    private static final int B = LocalCloudTestResource.freePort();
    private static final Path LOGS = Path.of("target", "watching");

    /** Requests in one window, by kind ({@code "SQS GetQueueAttributes"}, {@code "ECS DescribeServices"}). */
    private record Window(Map<String, Long> calls) {

        long total() {
            return calls.values().stream().mapToLong(Long::longValue).sum();
        }

        long sqs() {
            return calls.entrySet().stream().filter(e -> e.getKey().startsWith("SQS ")).mapToLong(Map.Entry::getValue).sum();
        }

        Window minus(Window other) {
            Map<String, Long> difference = new TreeMap<>(calls);
            other.calls.forEach((k, v) -> difference.merge(k, -v, Long::sum));
            difference.values().removeIf(v -> v == 0);
            return new Window(difference);
        }

        Window without(String kindPrefix) {
            Map<String, Long> rest = new TreeMap<>(calls);
            rest.keySet().removeIf(k -> k.startsWith(kindPrefix));
            return new Window(rest);
        }
    }

    @Test
    void anIdlePoolCostsLittleToWatchAndAFollowerReadsNothingForReconcile() throws Exception {
        Dynalite dynalite = new Dynalite();
        dynalite.start();
        dynalite.createTable("coscale-lease");
        CloudClient cloud = new CloudClient(CLOUD);
        Map<String, String> cloudSettings = Map.of("quarkus.http.port", Integer.toString(CLOUD),
                "coscale.local.sqs-port", Integer.toString(SQS), "coscale.local.ecs-port", Integer.toString(ECS),
                "coscale.local.coscale-url", "http://127.0.0.1:" + A, "coscale.local.task-start-delay", "300ms",
                "coscale.local.worker-first-wait", "1s");
        try (AppProcess cloudProcess = new AppProcess("cloud", "cloud", cloudSettings, LOGS.resolve("cloud.log"), cloud.statsUri())) {
            cloudProcess.start(Duration.ofSeconds(120));
            createIdlePools();
            try (AppProcess a = replica("a", A, dynalite); AppProcess b = replica("b", B, dynalite)) {
                a.start(Duration.ofSeconds(120));
                await().atMost(Duration.ofSeconds(30)).until(() -> leads(A));
                Thread.sleep(10_000); // the take-over and the first passes are start-up, not watching
                Window leader = measure(cloud, null);

                b.start(Duration.ofSeconds(120));
                Thread.sleep(10_000);
                Window both = measure(cloud, null);
                Window follower = both.minus(leader);

                Window busy = measure(cloud, WatchingCostBenchmark::submitEvery2Seconds).minus(both).without("SQS SendMessage");

                int pools = POOLS + 1;
                double perHour = 3_600.0 / WINDOW.toSeconds();
                Map<String, String> lines = new LinkedHashMap<>();
                lines.put("pools watched (idle: a queue, its dead-letter queue, a service with no task)", Integer.toString(pools));
                lines.put("leader: requests per idle pool per hour", perPool(leader, perHour / pools));
                lines.put("follower: requests per idle pool per hour", perPool(follower, perHour / pools));
                lines.put("a busy pool (a job every 2 s): requests per hour beyond an idle one's", perPool(busy, perHour));
                double idleMonthly = leader.sqs() * perHour / pools * HOURS_PER_MONTH * DOLLARS_PER_REQUEST;
                double followerMonthly = Math.max(0, follower.sqs()) * perHour / pools * HOURS_PER_MONTH * DOLLARS_PER_REQUEST;
                lines.put("SQS bill per idle pool per month (leader; target <= $0.15)", String.format(Locale.ROOT, "$%.3f", idleMonthly));
                lines.put("SQS bill per 1,000 idle pools per month (leader + one follower)",
                        String.format(Locale.ROOT, "$%.0f", (idleMonthly + followerMonthly) * 1_000));
                lines.put("ECS calls per second at 1,000 idle pools, linear from these (leader; batching 10 services "
                        + "per call makes it ~10/s; ECS's read budget is 20/s)", String.format(Locale.ROOT,
                        "%.2f", leader.without("SQS ").total() / (double) WINDOW.toSeconds() / pools * 1_000));
                print(lines);

                assertThat(follower.calls().keySet()).as("a follower reads no queue depth and no service for reconcile")
                        .noneMatch(k -> k.equals("SQS GetQueueAttributes") && follower.calls().get(k) > 0
                                || k.equals("ECS DescribeServices") && follower.calls().get(k) > 0);
                assertThat(idleMonthly).as("SQS bill per idle pool per month, $").isLessThanOrEqualTo(0.15);
            }
        } finally {
            dynalite.stop();
        }
    }

    /**
     * Every SQS request coscale signed and every ECS call, counted by the cloud over one window while {@code load}
     * runs again and again (null: nothing runs).
     */
    private static Window measure(CloudClient cloud, Runnable load) throws Exception {
        Map<String, Long> before = calls(cloud.stats());
        Thread loader = new Thread(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                load.run();
            }
        });
        if (load != null) {
            loader.start();
        }
        Thread.sleep(WINDOW.toMillis());
        loader.interrupt();
        loader.join(5_000);
        Map<String, Long> after = calls(cloud.stats());
        before.forEach((k, v) -> after.merge(k, -v, Long::sum));
        after.values().removeIf(v -> v == 0);
        return new Window(after);
    }

    private static Map<String, Long> calls(JsonNode stats) {
        Map<String, Long> calls = new TreeMap<>();
        stats.path("sqsProxy").path("calls").fields().forEachRemaining(e -> {
            String[] signerAndAction = e.getKey().split(" ", 2);
            if (signerAndAction[0].equals(AwsCallLog.COSCALE_KEY)) {
                calls.put("SQS " + signerAndAction[1], e.getValue().asLong());
            }
        });
        stats.path("apiCalls").fields().forEachRemaining(e -> calls.put("ECS " + e.getKey(), e.getValue().asLong()));
        return calls;
    }

    private static void submitEvery2Seconds() {
        try {
            HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + A + "/v1/pools/demo/jobs"))
                    .timeout(Duration.ofSeconds(10)).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"payload\": {\"seconds\": 0.5}}")).build(),
                    HttpResponse.BodyHandlers.discarding());
            Thread.sleep(2_000);
        } catch (IOException e) {
            // counted as nothing: the window measures what coscale asked of AWS, not the answers
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The idle pools: each a queue with a dead-letter queue, and a service with no task in the local cluster. */
    private static void createIdlePools() {
        AwsBasicCredentials setUp = AwsBasicCredentials.create(AwsCallLog.SETUP_KEY, AwsCallLog.SETUP_KEY);
        try (SqsClient sqs = SqsClient.builder().endpointOverride(URI.create("http://127.0.0.1:" + SQS)).region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(setUp)).build();
             EcsClient ecs = EcsClient.builder().endpointOverride(URI.create("http://127.0.0.1:" + ECS)).region(Region.US_EAST_1)
                     .credentialsProvider(StaticCredentialsProvider.create(setUp)).build()) {
            for (int i = 0; i < POOLS; i++) {
                String name = "idle" + i;
                String dlq = sqs.createQueue(b -> b.queueName(name + "-dlq")).queueUrl();
                String dlqArn = sqs.getQueueAttributes(b -> b.queueUrl(dlq).attributeNames(QueueAttributeName.QUEUE_ARN))
                        .attributes().get(QueueAttributeName.QUEUE_ARN);
                sqs.createQueue(b -> b.queueName(name).attributes(Map.of(QueueAttributeName.REDRIVE_POLICY,
                        "{\"deadLetterTargetArn\":\"" + dlqArn + "\",\"maxReceiveCount\":\"3\"}")));
                await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> {
                    ecs.createService(b -> b.cluster("local").serviceName(name).taskDefinition("demo-worker").desiredCount(0));
                    return true;
                });
            }
        }
    }

    private static AppProcess replica(String id, int port, Dynalite dynalite) {
        Map<String, String> settings = new HashMap<>(Map.of("quarkus.http.port", Integer.toString(port),
                "coscale.local.sqs-port", Integer.toString(SQS), "coscale.local.ecs-port", Integer.toString(ECS),
                "coscale.lease.store", "dynamodb", "coscale.lease.dynamodb.endpoint-override", dynalite.endpoint().toString(),
                "coscale.lease.replica-id", id, "coscale.lease.advertise-url", "http://127.0.0.1:" + port));
        for (int i = 0; i < POOLS; i++) {
            String prefix = "coscale.pools.idle" + i + ".";
            settings.put(prefix + "cluster", "local");
            settings.put(prefix + "service", "idle" + i);
            settings.put(prefix + "queue-url", "http://127.0.0.1:" + SQS + "/000000000000/idle" + i);
            settings.put(prefix + "max-tasks", "4");
        }
        return new AppProcess("replica-" + id, "attached", settings, LOGS.resolve("replica-" + id + ".log"),
                URI.create("http://127.0.0.1:" + port + "/q/health/ready"));
    }

    private static boolean leads(int port) {
        try {
            return JSON.readTree(HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/leader"))
                    .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString()).body())
                    .path("self").asBoolean(false);
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    private static String perPool(Window window, double scale) {
        StringBuilder out = new StringBuilder(String.format(Locale.ROOT, "%.0f", window.total() * scale));
        String sep = " (";
        for (Iterator<Map.Entry<String, Long>> it = window.calls().entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<String, Long> e = it.next();
            out.append(sep).append(e.getKey()).append(' ').append(String.format(Locale.ROOT, "%.0f", e.getValue() * scale));
            sep = ", ";
        }
        return window.calls().isEmpty() ? out.toString() : out.append(')').toString();
    }

    private static void print(Map<String, String> lines) {
        StringBuilder out = new StringBuilder("\n==== BENCHMARK: the cost of watching pools (leader, follower, a busy pool) ====\n");
        lines.forEach((k, v) -> out.append(String.format(Locale.ROOT, "%-90s %s%n", k, v)));
        System.out.println(out);
    }
}
