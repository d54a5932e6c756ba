package io.coscale.bench.chaos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.coscale.deploy.DynamoDbCallRecorder;
import io.coscale.deploy.RecordedAwsCalls;
import io.coscale.e2e.AppProcess;
import io.coscale.lease.Dynalite;
import io.coscale.local.LocalCloudTestResource;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Two coscale replicas behind a load balancer, one lease in DynamoDB (dynalite), the local cloud on its own, all
 * packaged processes on loopback. The leader is killed -9 twice: in the middle of a burst of submissions, and in the
 * middle of the releases that follow one; then a rolling deploy's SIGTERM stops it, and it hands the lease over.
 * Printed: how long the other replica took to lead, what the submissions got
 * meanwhile (202 / 503 / 502 / cut connection), jobs lost, exits that lowered the count twice (decrements beyond
 * the tasks that stopped with coscale's exit record), busy tasks stopped. Each job is posted once, not retried, so every answer is counted as given.
 */
@Tag("benchmark")
@ExtendWith(RecordedAwsCalls.class)
class FailoverBenchmark {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = ChaosRun.http();
    private static final int SQS = LocalCloudTestResource.freePort();
    private static final int ECS = LocalCloudTestResource.freePort();
    private static final int CLOUD = LocalCloudTestResource.freePort();
    private static final int A = LocalCloudTestResource.freePort();
    private static final int B = LocalCloudTestResource.freePort();
    private static final int BALANCER = LocalCloudTestResource.freePort();
    private static final Path LOGS = Path.of("target", "failover");

    /** What one burst's submissions were answered. */
    private static final class Answers {
        final Map<String, AtomicLong> byKind = new ConcurrentHashMap<>();

        void add(String kind) {
            byKind.computeIfAbsent(kind, k -> new AtomicLong()).incrementAndGet();
        }

        long of(String kind) {
            AtomicLong n = byKind.get(kind);
            return n == null ? 0 : n.get();
        }

        @Override
        public String toString() {
            return String.format(Locale.ROOT, "202 %d, 503 %d, 502 %d, cut %d", of("202"), of("503"), of("502"), of("cut"));
        }
    }

    @Test
    void anotherReplicaLeadsWithinTheLeaseTimeAndNothingIsLostOrLoweredTwice() throws Exception {
        Dynalite dynalite = new Dynalite();
        dynalite.start();
        dynalite.createTable("coscale-lease"); // as the stack does: replicas as deployed may not create it
        Map.Entry<String, String> recordCalls = RecordedAwsCalls.property();
        CloudClient cloud = new CloudClient(CLOUD);
        Map<String, String> cloudSettings = Map.of("quarkus.http.port", Integer.toString(CLOUD),
                "coscale.local.sqs-port", Integer.toString(SQS), "coscale.local.ecs-port", Integer.toString(ECS),
                "coscale.local.coscale-url", "http://127.0.0.1:" + BALANCER, "coscale.local.task-start-delay", "300ms",
                "coscale.local.worker-first-wait", "1s", recordCalls.getKey(), recordCalls.getValue());
        try (DynamoDbCallRecorder dynamoDb = DynamoDbCallRecorder.start(dynalite.endpoint(),
                Path.of(RecordedAwsCalls.property().getValue()));
             RoundRobinProxy balancer = new RoundRobinProxy(BALANCER, List.of(A, B));
             AppProcess cloudProcess = new AppProcess("cloud", "cloud", cloudSettings, LOGS.resolve("cloud.log"),
                     cloud.statsUri());
             AppProcess a = replica("a", A, dynamoDb.endpoint());
             AppProcess b = replica("b", B, dynamoDb.endpoint())) {
            cloudProcess.start(Duration.ofSeconds(120));
            a.start(Duration.ofSeconds(120));
            await().atMost(Duration.ofSeconds(30)).until(() -> leads(A));
            b.start(Duration.ofSeconds(120));
            JsonNode before = cloud.stats();
            Map<String, String> lines = new LinkedHashMap<>();

            // 1. The leader dies in the middle of a burst.
            Answers burst = new Answers();
            long epoch = epoch(B);
            ExecutorService clients = Executors.newFixedThreadPool(8);
            List<java.util.concurrent.Future<?>> posts = new ArrayList<>();
            long killAt = 0;
            for (int i = 0; i < 80; i++) {
                int n = i;
                posts.add(clients.submit(() -> burst.add(post("{\"payload\": {\"seconds\": " + (0.5 + (n % 4) * 0.5) + "}}"))));
                Thread.sleep(60);
                if (i == 30) {
                    a.kill9();
                    killAt = System.nanoTime();
                }
            }
            long firstKill = killAt;
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50))
                    .until(() -> leads(B) && epoch(B) > epoch);
            double takeover1 = (System.nanoTime() - firstKill) / 1e9;
            for (java.util.concurrent.Future<?> f : posts) {
                f.get(60, TimeUnit.SECONDS);
            }
            awaitAllDone(cloud, before, burst.of("202"));
            lines.put("kill -9 of the leader mid-burst: the other replica led after", String.format(Locale.ROOT, "%.1f s", takeover1));
            lines.put("  80 submissions during it", burst.toString());

            // 2. The leader dies in the middle of releases.
            a.start(Duration.ofSeconds(120)); // back, as a follower
            JsonNode beforeRelease = cloud.stats();
            Answers second = new Answers();
            List<java.util.concurrent.Future<?>> more = new ArrayList<>();
            for (int i = 0; i < 24; i++) {
                more.add(clients.submit(() -> second.add(post("{\"payload\": {\"seconds\": 0.5}}"))));
            }
            for (java.util.concurrent.Future<?> f : more) {
                f.get(60, TimeUnit.SECONDS);
            }
            long lowered = beforeRelease.path("desiredCountLowered").asLong();
            await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(20))
                    .until(() -> cloud.stats().path("desiredCountLowered").asLong() > lowered);
            long epoch2 = epoch(A);
            b.kill9();
            long secondKill = System.nanoTime();
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50))
                    .until(() -> leads(A) && epoch(A) > epoch2);
            double takeover2 = (System.nanoTime() - secondKill) / 1e9;
            awaitAllDone(cloud, before, burst.of("202") + second.of("202"));
            b.start(Duration.ofSeconds(120)); // back, as a follower: its status reads come from the leader
            JsonNode throughFollower = JSON.readTree(HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + B
                    + "/v1/pools/demo")).build(), HttpResponse.BodyHandlers.ofString()).body());
            assertThat(throughFollower.path("leader").path("id").asText()).as("status read on the follower").isEqualTo("a");
            lines.put("kill -9 of the leader mid-release: the other replica led after", String.format(Locale.ROOT, "%.1f s", takeover2));
            lines.put("  24 submissions before it", second.toString());

            // 3. A rolling deploy stops the leader while jobs arrive, as ECS does behind a load balancer: the target is
            // deregistered (no new connections; those in flight finish), then the task gets SIGTERM. It hands the
            // lease over on its way out.
            Answers third = new Answers();
            List<java.util.concurrent.Future<?>> during = new ArrayList<>();
            long epoch3 = epoch(A);
            for (int i = 0; i < 20; i++) {
                during.add(clients.submit(() -> third.add(post("{\"payload\": {\"seconds\": 0.5}}"))));
                Thread.sleep(50);
                if (i == 5) {
                    balancer.drain(A);
                }
            }
            Thread.sleep(1_000); // the deregistration delay: requests in flight on the drained replica finish
            long terminatedAt = System.nanoTime();
            a.terminate();
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50))
                    .until(() -> leads(B) && epoch(B) > epoch3);
            double takeover3 = (System.nanoTime() - terminatedAt) / 1e9;
            for (java.util.concurrent.Future<?> f : during) {
                f.get(60, TimeUnit.SECONDS);
            }
            clients.shutdownNow();
            awaitAllDone(cloud, before, burst.of("202") + second.of("202") + third.of("202"));
            awaitNoTasks(B); // the last workers released and exited: their decrements and exits are both counted
            lines.put("SIGTERM of the leader (a rolling deploy): the other replica led after",
                    String.format(Locale.ROOT, "%.1f s (the lease handed over)", takeover3));
            lines.put("  20 submissions during it", third.toString());

            JsonNode after = cloud.stats();
            long accepted = burst.of("202") + second.of("202") + third.of("202");
            long completed = after.path("jobsCompleted").asLong() - before.path("jobsCompleted").asLong();
            long decrements = after.path("desiredCountLowered").asLong() - before.path("desiredCountLowered").asLong();
            long cleanExits = after.path("workerExitsClean").asLong() - before.path("workerExitsClean").asLong();
            long exitRecords = after.path("exitRecordsStopped").asLong() - before.path("exitRecordsStopped").asLong();
            long busyStopped = after.path("tasksStoppedWhileBusy").asLong() - before.path("tasksStoppedWhileBusy").asLong();
            lines.put("jobs answered 202 / completed", accepted + " / " + completed);
            lines.put("jobs lost (202 but never completed)", Long.toString(Math.max(0, accepted - completed)));
            lines.put("decrements / exits (tasks stopped with an exit record; a double decrement makes decrements exceed exits)",
                    decrements + " / " + exitRecords);
            lines.put("workers that exited 0 on their own (not picked by ECS's scale-in first)", Long.toString(cleanExits));
            lines.put("busy tasks stopped", Long.toString(busyStopped));
            print(lines);

            assertThat(takeover1).as("takeover mid-burst, s").isLessThanOrEqualTo(10);
            assertThat(takeover2).as("takeover mid-release, s").isLessThanOrEqualTo(10);
            // SIGTERM: shutdown + margin (1 s) + the follower's next heartbeat (1 s), not the lease's 5 s + 1 s.
            assertThat(takeover3).as("takeover after a SIGTERM, s").isLessThan(5);
            assertThat(third.of("202")).as("a rolling deploy answers every submission 202").isEqualTo(20);
            assertThat(completed).as("every 202 completed: no job lost, no 202 for a job not in SQS").isGreaterThanOrEqualTo(accepted);
            // An exiting worker is unprotected and idle: ECS's scale-in may stop it before its own exit is reported, so
            // clean exits may be fewer than decrements; every exit still carries its record (the coscale:exit tag).
            assertThat(decrements).as("no exit lowered the count twice").isLessThanOrEqualTo(exitRecords);
            assertThat(busyStopped).isZero();
        } finally {
            dynalite.stop();
        }
    }

    /** A replica whose lease and Idempotency-Key calls go to dynalite through {@code dynamoDb}, the recorder. */
    private static AppProcess replica(String id, int port, URI dynamoDb) {
        Map<String, String> settings = new HashMap<>(Map.of("quarkus.http.port", Integer.toString(port),
                "coscale.local.sqs-port", Integer.toString(SQS), "coscale.local.ecs-port", Integer.toString(ECS),
                "coscale.reconcile.interval", "2s", "coscale.lease.store", "dynamodb",
                "coscale.lease.dynamodb.endpoint-override", dynamoDb.toString(), "coscale.lease.replica-id", id,
                "coscale.lease.advertise-url", "http://127.0.0.1:" + port));
        return new AppProcess("replica-" + id, "attached", settings, LOGS.resolve("replica-" + id + ".log"),
                URI.create("http://127.0.0.1:" + port + "/q/health/live"));
    }

    /** Posts one job through the balancer, once: "202", "503", "502", another status, or "cut". */
    private static String post(String body) {
        try {
            return Integer.toString(HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + BALANCER
                            + "/v1/pools/demo/jobs")).timeout(Duration.ofSeconds(20)).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.discarding()).statusCode());
        } catch (IOException e) {
            return "cut";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "cut";
        }
    }

    private static JsonNode leader(int port) throws IOException, InterruptedException {
        return JSON.readTree(HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/leader"))
                .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString()).body());
    }

    private static boolean leads(int port) {
        try {
            return leader(port).path("self").asBoolean(false);
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    private static long epoch(int port) throws IOException, InterruptedException {
        return leader(port).path("epoch").asLong();
    }

    /** Waits until the pool, as the replica on {@code port} sees it, has no task left, nor one wanted. */
    private static void awaitNoTasks(int port) {
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500)).until(() -> {
            JsonNode pool = JSON.readTree(HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                    + "/v1/pools/demo")).timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString()).body());
            return pool.path("desiredCount").asInt(-1) == 0 && pool.path("runningCount").asInt(-1) == 0
                    && pool.path("pendingCount").asInt(-1) == 0;
        });
    }

    /** Waits until every accepted job completed. */
    private static void awaitAllDone(CloudClient cloud, JsonNode before, long accepted) {
        await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofMillis(500)).until(() -> {
            JsonNode now = cloud.stats();
            return now.path("jobsCompleted").asLong() - before.path("jobsCompleted").asLong() >= accepted;
        });
    }

    private static void print(Map<String, String> lines) {
        StringBuilder out = new StringBuilder("\n==== failover: two replicas, a DynamoDB lease (dynalite), kill -9 of the leader ====\n");
        lines.forEach((k, v) -> out.append(String.format(Locale.ROOT, "%-80s %s%n", k, v)));
        System.out.println(out);
    }
}
