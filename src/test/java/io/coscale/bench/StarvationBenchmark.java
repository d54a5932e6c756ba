package io.coscale.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.coscale.control.budget.EcsBudgets;
import io.coscale.local.LocalCloudTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.ecs.model.DesiredStatus;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * No pool starves another: 200 pools, each releasing one task at once while the UpdateService budget is exhausted
 * (every release needs one of its 5 tokens a second, so the last waits ~40 s), and meanwhile a first claim of another
 * task of every pool. The claims must not queue behind the releases' budget waits: answered in under 1 s. Printed
 * beside the same claims with nothing else going on. Tasks stay PENDING (the cluster has no room), which keeps 600
 * worker threads out of the JVM: the benchmark itself is the workers, over HTTP, as real ones would be.
 */
@QuarkusTest
@QuarkusTestResource(LocalCloudTestResource.class)
@TestProfile(StarvationBenchmark.TwoHundredPools.class)
@Tag("benchmark")
class StarvationBenchmark {

    static final int POOLS = 200;
    static final String CLUSTER = "starve";
    static final int IN_FLIGHT = 10;

    public static class TwoHundredPools implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            Map<String, String> config = new HashMap<>();
            config.put("coscale.reconcile.interval", "1h");
            config.put("coscale.local.cluster-capacity", "0");
            // ECS's sustained rate with no burst left: what a busy account looks like.
            config.put("coscale.ecs.update-service.burst", "1");
            config.put("coscale.ecs.update-service.rate-per-second", "5");
            config.putAll(Bench.pools(CLUSTER, pools(), 4));
            return config;
        }
    }

    static List<String> pools() {
        return Bench.names("s", POOLS);
    }

    @Inject
    EcsClient ecs;

    @Inject
    SqsClient sqs;

    @Inject
    EcsBudgets budgets;

    @TestHTTPResource("/v1/claim")
    URI claimUri;

    @TestHTTPResource("/v1/release")
    URI releaseUri;

    private final ExecutorService clients = Executors.newFixedThreadPool(32);
    private final HttpClient http = HttpClient.newBuilder().executor(clients).connectTimeout(Duration.ofSeconds(5)).build();

    @Test
    void claimsAreAnsweredWhileTwoHundredPoolsWaitForTheUpdateServiceBudget() throws Exception {
        List<String> services = new ArrayList<>(pools());
        services.add("demo");
        ecs.createCluster(b -> b.clusterName(CLUSTER));
        for (String name : services) {
            if (!name.equals("demo")) {
                sqs.createQueue(b -> b.queueName(name));
            }
            createService(name);
        }
        // Three PENDING tasks per pool: one releases, one claims quietly, one claims in the storm.
        Map<String, List<String>> tasks = new HashMap<>();
        for (String name : services) {
            await().atMost(Duration.ofSeconds(60)).until(() -> taskArns(name).size() == 3);
            tasks.put(name, taskArns(name));
        }
        Thread.sleep(1_500); // DescribeTasks' read bucket full again

        // Every releasing task claims first (protected: its release must unprotect), and a quiet baseline.
        Figures.Distribution firstClaims = Figures.Distribution.of(timeAll(services, s -> post(claimUri, tasks.get(s).get(0))));
        Thread.sleep(1_500);
        Figures.Distribution quiet = Figures.Distribution.of(timeAll(services, s -> post(claimUri, tasks.get(s).get(1))));

        // The storm: every pool releases at once; every release lowers its count and needs a budget token.
        AtomicInteger exits = new AtomicInteger();
        AtomicInteger unavailable = new AtomicInteger();
        ConcurrentLinkedQueue<Long> releaseNanos = new ConcurrentLinkedQueue<>();
        long stormStart = System.nanoTime();
        List<CompletableFuture<Void>> releases = new ArrayList<>();
        for (String s : services) {
            releases.add(post(releaseUri, tasks.get(s).get(0)).thenAccept(r -> {
                releaseNanos.add(System.nanoTime() - stormStart);
                if (r.statusCode() == 200 && r.body().contains("\"exit\"")) {
                    exits.incrementAndGet();
                } else if (r.statusCode() == 503) {
                    unavailable.incrementAndGet();
                }
            }));
        }
        // The releases unprotect, tag their task and then queue for a token: wait until the queue is long.
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(20)).until(() -> budgets.updateService().waiting() >= POOLS / 4);
        int waitingForBudget = budgets.updateService().waiting();
        Figures.Distribution storm = Figures.Distribution.of(timeAll(services, s -> post(claimUri, tasks.get(s).get(2))));
        CompletableFuture.allOf(releases.toArray(CompletableFuture[]::new)).get(120, TimeUnit.SECONDS);

        Figures.Distribution releaseTimes = Figures.Distribution.of(releaseNanos);
        Figures.print("claims while " + POOLS + " pools wait for the UpdateService budget", List.of(
                String.format(Locale.ROOT, "%d pools, 3 PENDING tasks each; UpdateService budget: burst 1, 5 per second; "
                        + "claims %d at a time", POOLS, IN_FLIGHT),
                "first claims, before:            " + firstClaims.summary(),
                "claims, nothing else going on:   " + quiet.summary(),
                String.format(Locale.ROOT, "claims during the release storm:  %s  (%d releases waiting for a token)",
                        storm.summary(), waitingForBudget),
                String.format(Locale.ROOT, "storm vs quiet p99: %.2fx; target (every claim during the storm < 1 s): %s",
                        storm.percentileMillis(99) / quiet.percentileMillis(99), storm.maxMillis() < 1_000 ? "met" : "NOT met"),
                String.format(Locale.ROOT, "releases: %d exit, %d answered 503 (step over 30 s: the worker retries); "
                        + "answered after %s", exits.get(), unavailable.get(), releaseTimes.summary())));
        assertThat(waitingForBudget).as("the storm really waited for the budget").isGreaterThanOrEqualTo(POOLS / 4);
    }

    /**
     * Runs one call per pool, {@value #IN_FLIGHT} at a time (workers claim as their jobs come, not all in one
     * instant), and returns each call's latency.
     */
    private List<Long> timeAll(List<String> services, java.util.function.Function<String, CompletableFuture<HttpResponse<String>>> call)
            throws Exception {
        ConcurrentLinkedQueue<Long> nanos = new ConcurrentLinkedQueue<>();
        List<CompletableFuture<Void>> all = new ArrayList<>();
        java.util.concurrent.Semaphore slots = new java.util.concurrent.Semaphore(IN_FLIGHT);
        for (String s : services) {
            slots.acquire();
            long start = System.nanoTime();
            all.add(call.apply(s).whenComplete((r, e) -> slots.release()).thenAccept(r -> {
                assertThat(r.statusCode()).as("claim answer: %s", r.body()).isEqualTo(200);
                nanos.add(System.nanoTime() - start);
            }));
        }
        CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
        return new ArrayList<>(nanos);
    }

    private CompletableFuture<HttpResponse<String>> post(URI uri, String taskArn) {
        return Bench.postTask(http, uri, taskArn);
    }

    private List<String> taskArns(String service) {
        return ecs.listTasks(b -> b.cluster(CLUSTER).serviceName(service).desiredStatus(DesiredStatus.RUNNING)).taskArns();
    }

    private void createService(String name) {
        Bench.createService(ecs, CLUSTER, name, 3);
    }
}
