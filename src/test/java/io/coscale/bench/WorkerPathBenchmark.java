package io.coscale.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.coscale.aws.EcsGateway;
import io.coscale.local.LocalCloud;
import io.coscale.local.LocalCloudTestResource;
import io.coscale.local.ecs.EcsEmulator;
import io.coscale.local.ecs.FaultInjector;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.ecs.model.DesiredStatus;
import software.amazon.awssdk.services.ecs.model.EcsException;
import software.amazon.awssdk.services.ecs.model.Task;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchRequestEntry;

/**
 * The worker path at scale (docs/BENCHMARKS.md: claims + releases ≥ 500 per second per cluster with 50 ms of ECS
 * latency). One cluster, ten pools of 30 PENDING tasks each (the cluster has no room, so no worker runs: the benchmark's
 * clients are the workers, over the real HTTP API), 50 ms injected on every ECS action. {@code bench.worker.clients}
 * client threads (default 40, in this JVM, sharing one java.net.http client) loop claim → release over tasks of their own for
 * {@code bench.worker.seconds} (default 10):
 * <ul>
 *   <li>half of the clients on one pool (the flooded one), the rest spread over the other nine;</li>
 *   <li>nine pools' queues hold messages, so their releases answer continue; the tenth's queue is empty, so its
 *       releases answer exit (each an unprotect and a tag; their decrements merged into fewer UpdateService calls)
 *       down to its minTasks, then stay.</li>
 * </ul>
 * Printed beside it, the baseline: the same clients calling UpdateTaskProtection straight at the emulator for each
 * claim and release (what workers protecting themselves would get), at the same latency, under ECS's
 * UpdateTaskProtection rate limit as the emulator applies it.
 */
@QuarkusTest
@QuarkusTestResource(LocalCloudTestResource.class)
@TestProfile(WorkerPathBenchmark.TenPools.class)
@Tag("benchmark")
class WorkerPathBenchmark {

    static final String CLUSTER = "work";
    static final int POOLS = 10;
    static final int TASKS_PER_POOL = 30;
    static final int EXITING_MIN_TASKS = 20;
    static final Duration LATENCY = Duration.ofMillis(50);

    public static class TenPools implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            Map<String, String> config = new HashMap<>();
            // Only the workers' calls: no pass or sampler would add its reads to the counts.
            config.put("coscale.reconcile.interval", "1h");
            config.put("coscale.status.sample-interval", "1h");
            config.put("coscale.local.cluster-capacity", "0");
            config.putAll(Bench.pools(CLUSTER, pools(), TASKS_PER_POOL));
            config.put("coscale.pools." + exiting() + ".min-tasks", Integer.toString(EXITING_MIN_TASKS));
            return config;
        }
    }

    static List<String> pools() {
        return Bench.names("w", POOLS + 1);
    }

    static String flooded() {
        return pools().get(0);
    }

    /** The pool whose queue is empty: its releases answer exit down to its minTasks. */
    static String exiting() {
        return pools().get(POOLS - 1);
    }

    @Inject
    LocalCloud localCloud;

    @Inject
    EcsClient ecs;

    @Inject
    SqsClient sqs;

    @TestHTTPResource("/v1/claim")
    URI claimUri;

    @TestHTTPResource("/v1/release")
    URI releaseUri;

    /** One client's tasks, all of one pool, claimed and released in turn. */
    record Plan(String pool, List<String> tasks) {
    }

    /** What the clients saw: latencies per pool and call, answers by decision, failures. */
    static final class Seen {
        final Map<String, ConcurrentLinkedQueue<Long>> claims = new ConcurrentHashMap<>();
        final Map<String, ConcurrentLinkedQueue<Long>> releases = new ConcurrentHashMap<>();
        final Map<String, AtomicLong> decisions = new ConcurrentHashMap<>();
        final ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
        /** Claims answered 403, by task: each a task ECS stopped ({@link #gone}), or a failure. */
        final Map<String, String> refused = new ConcurrentHashMap<>();
        final AtomicLong gone = new AtomicLong();

        void claim(String pool, long nanos) {
            claims.computeIfAbsent(pool, p -> new ConcurrentLinkedQueue<>()).add(nanos);
        }

        void release(String pool, long nanos, String decision) {
            releases.computeIfAbsent(pool, p -> new ConcurrentLinkedQueue<>()).add(nanos);
            decisions.computeIfAbsent(decision, d -> new AtomicLong()).incrementAndGet();
        }

        Figures.Distribution of(Map<String, ConcurrentLinkedQueue<Long>> byPool, java.util.function.Predicate<String> pools) {
            List<Long> nanos = new ArrayList<>();
            byPool.forEach((pool, times) -> {
                if (pools.test(pool)) {
                    nanos.addAll(times);
                }
            });
            return Figures.Distribution.of(nanos);
        }

        long count(Map<String, ConcurrentLinkedQueue<Long>> byPool) {
            return byPool.values().stream().mapToLong(ConcurrentLinkedQueue::size).sum();
        }
    }

    @Test
    void claimsAndReleasesOfOneClusterWithFiftyMillisecondsOfEcsLatency() throws Exception {
        int clients = Bench.knob("worker.clients", 40);
        int seconds = Bench.knob("worker.seconds", 10);
        EcsEmulator emulator = localCloud.emulator().orElseThrow();
        ecs.createCluster(b -> b.clusterName(CLUSTER));
        Bench.createService(ecs, CLUSTER, "demo");
        Map<String, List<String>> tasks = new HashMap<>();
        for (String pool : pools()) {
            String queueUrl = sqs.createQueue(b -> b.queueName(pool)).queueUrl();
            if (!pool.equals(exiting())) {
                for (int batch = 0; batch < 5; batch++) {
                    List<SendMessageBatchRequestEntry> entries = new ArrayList<>();
                    for (int i = 0; i < 10; i++) {
                        entries.add(SendMessageBatchRequestEntry.builder().id("m" + i).messageBody(Bench.JOB).build());
                    }
                    sqs.sendMessageBatch(b -> b.queueUrl(queueUrl).entries(entries));
                }
            }
            Bench.createService(ecs, CLUSTER, pool, TASKS_PER_POOL);
        }
        for (String pool : pools()) {
            await().atMost(Duration.ofSeconds(60)).until(() -> taskArns(pool).size() == TASKS_PER_POOL);
            tasks.put(pool, taskArns(pool));
        }
        List<Plan> plans = plans(clients, tasks);
        Thread.sleep(3_000); // ECS's read and protection buckets full again; coscale's exit-settle is over

        emulator.faults().set(FaultInjector.ALL, new FaultInjector.Fault(LATENCY, 0, null));
        Seen seen = new Seen();
        long throttledBefore = emulator.stats().snapshot().throttled();
        Map<String, Long> calls;
        int maxProtectionInFlight;
        int maxDescribeTasksInFlight;
        long elapsedNanos;
        try (EcsCalls recorder = EcsCalls.attach(emulator)) {
            long start = System.nanoTime();
            runAll(plans, start + TimeUnit.SECONDS.toNanos(seconds), (pool, task) -> cycle(pool, task, seen));
            elapsedNanos = System.nanoTime() - start;
            calls = new HashMap<>();
            for (String action : List.of("UpdateTaskProtection", "DescribeTasks", "TagResource", "UpdateService",
                    "DescribeServices")) {
                calls.put(action, recorder.count(action));
            }
            maxProtectionInFlight = recorder.maxInFlight("UpdateTaskProtection");
            maxDescribeTasksInFlight = recorder.maxInFlight("DescribeTasks");
        }
        long throttled = emulator.stats().snapshot().throttled() - throttledBefore;

        goneOrFailed(seen);
        // Each exit was recorded on its task and lowered the count once: the merged decrements' writes took the
        // exiting pool's count to its minTasks, whatever number of UpdateService calls carried them.
        await().atMost(Duration.ofSeconds(30)).until(() -> desiredCount(exiting()) == EXITING_MIN_TASKS);
        Thread.sleep(3_000); // the protection bucket full again for the baseline
        Baseline baseline = baseline(emulator, plans, seconds);
        emulator.faults().clear();

        double elapsed = elapsedNanos / 1e9;
        long claims = seen.count(seen.claims);
        long releases = seen.count(seen.releases);
        double perSecond = (claims + releases) / elapsed;
        java.util.function.Predicate<String> quiet = p -> !p.equals(flooded()) && !p.equals(exiting());
        Figures.Distribution allClaims = seen.of(seen.claims, p -> true);
        Figures.Distribution allReleases = seen.of(seen.releases, p -> true);
        Figures.print("worker path: claims and releases, one cluster, " + LATENCY.toMillis() + " ms ECS latency", List.of(
                String.format(Locale.ROOT, "cluster '%s': %d pools x %d PENDING tasks; %d ms injected on every ECS "
                        + "action; %d client threads in this JVM (one java.net.http client, HTTP/1.1 keep-alive), %d s", CLUSTER, POOLS,
                        TASKS_PER_POOL, LATENCY.toMillis(), clients, seconds),
                String.format(Locale.ROOT, "coscale: %d claims + %d releases in %.1f s = %.0f per second per cluster "
                        + "(target >= 500: %s)", claims, releases, elapsed, perSecond, perSecond >= 500 ? "met" : "NOT met"),
                "  claims:   " + allClaims.summary(),
                "  releases: " + allReleases.summary(),
                "  decisions: " + new java.util.TreeMap<>(seen.decisions) + "; tasks found stopped by scale-in: "
                        + seen.gone.get() + "; failed calls: " + seen.failures.size()
                        + (seen.failures.isEmpty() ? "" : " e.g. " + seen.failures.peek()),
                String.format(Locale.ROOT, "  ECS calls: %s; max in flight at once: UpdateTaskProtection %d, "
                        + "DescribeTasks %d; throttled %d", new java.util.TreeMap<>(calls), maxProtectionInFlight,
                        maxDescribeTasksInFlight, throttled),
                String.format(Locale.ROOT, "no pool waits on another's work: claims p99 of the flooded pool %s (%d "
                        + "clients), of the exiting pool %s, of the 8 others %s",
                        Figures.ms(seen.of(seen.claims, flooded()::equals).percentileMillis(99)), clients / 2,
                        Figures.ms(seen.of(seen.claims, exiting()::equals).percentileMillis(99)),
                        Figures.ms(seen.of(seen.claims, quiet).percentileMillis(99))),
                String.format(Locale.ROOT, "  releases p99: flooded pool %s, exiting pool %s (each exit: unprotect, "
                        + "tag, then a merged UpdateService), the 8 others %s",
                        Figures.ms(seen.of(seen.releases, flooded()::equals).percentileMillis(99)),
                        Figures.ms(seen.of(seen.releases, exiting()::equals).percentileMillis(99)),
                        Figures.ms(seen.of(seen.releases, quiet).percentileMillis(99))),
                String.format(Locale.ROOT, "baseline, the same clients calling UpdateTaskProtection themselves (on, "
                        + "then off): %d calls in %.1f s = %.0f per second, %.0f per second answered (%d throttled), "
                        + "latency %s", baseline.calls(), baseline.seconds(), baseline.calls() / baseline.seconds(),
                        baseline.answered() / baseline.seconds(), baseline.throttled(), baseline.latency().summary()),
                String.format(Locale.ROOT, "coscale vs baseline (answered per second): %.1fx",
                        perSecond / (baseline.answered() / baseline.seconds()))));
        assertThat(seen.failures).as("calls answered other than 200").isEmpty();
        assertThat(seen.decisions.get("exit")).as("exits of pool %s", exiting()).isNotNull()
                .hasValue(TASKS_PER_POOL - EXITING_MIN_TASKS);
        assertThat(calls.get("TagResource")).as("one exit record per exit").isEqualTo(TASKS_PER_POOL - EXITING_MIN_TASKS);
        assertThat(calls.get("UpdateService")).as("UpdateService calls, exits merged").isBetween(1L,
                (long) TASKS_PER_POOL - EXITING_MIN_TASKS);
    }

    /** Half of the clients on the flooded pool, the others round the other pools; each pool's tasks dealt to its clients. */
    static List<Plan> plans(int clients, Map<String, List<String>> tasks) {
        List<String> owners = new ArrayList<>();
        for (int i = 0; i < clients; i++) {
            owners.add(i < clients / 2 ? flooded() : pools().get(1 + (i - clients / 2) % (POOLS - 1)));
        }
        List<Plan> plans = new ArrayList<>();
        for (String pool : pools()) {
            List<Integer> mine = new ArrayList<>();
            for (int i = 0; i < owners.size(); i++) {
                if (owners.get(i).equals(pool)) {
                    mine.add(i);
                }
            }
            List<List<String>> dealt = new ArrayList<>();
            mine.forEach(i -> dealt.add(new ArrayList<>()));
            List<String> poolTasks = tasks.get(pool);
            for (int t = 0; t < poolTasks.size() && !mine.isEmpty(); t++) {
                dealt.get(t % mine.size()).add(poolTasks.get(t));
            }
            dealt.stream().filter(d -> !d.isEmpty()).forEach(d -> plans.add(new Plan(pool, d)));
        }
        return plans;
    }

    /** One round of a client on one of its tasks; false when the task is done with (told to exit). */
    @FunctionalInterface
    interface Client {
        boolean run(String pool, String task) throws Exception;
    }

    /** Runs every plan on a thread of its own, each going round its tasks until {@code deadline}. */
    private static void runAll(List<Plan> plans, long deadline, Client client) throws Exception {
        ExecutorService threads = Executors.newFixedThreadPool(plans.size());
        try {
            List<Future<Object>> running = new ArrayList<>();
            for (Plan plan : plans) {
                running.add(threads.submit(() -> {
                    List<String> left = new ArrayList<>(plan.tasks());
                    for (int i = 0; System.nanoTime() < deadline && !left.isEmpty(); i++) {
                        int at = i % left.size();
                        if (!client.run(plan.pool(), left.get(at))) {
                            left.remove(at);
                        }
                    }
                    return null;
                }));
            }
            for (Future<Object> f : running) {
                f.get(5, TimeUnit.MINUTES);
            }
        } finally {
            threads.shutdownNow();
        }
    }

    /** One client for all: its connection pool gives each client thread a keep-alive connection, one selector thread. */
    private final HttpClient http = Bench.httpClient();

    /** One claim, then one release, of one task; false once the task was told to exit. */
    private boolean cycle(String pool, String task, Seen seen) throws Exception {
        long start = System.nanoTime();
        HttpResponse<String> claim = post(claimUri, task);
        long claimed = System.nanoTime();
        if (claim.statusCode() == 403) {
            // Right if ECS stopped it: an exit lowered the count, and scale-in takes any unprotected task, this one not
            // yet claimed; a real worker would be gone with it. coscale says so as "not a live task", or, when its
            // cached DescribeTasks still showed the task live, as ECS's refusal to protect it (TASK_NOT_VALID). Which
            // it was is asked of ECS after the run.
            seen.refused.put(task, claim.body());
            return false;
        }
        if (claim.statusCode() != 200) {
            seen.failures.add("claim " + claim.statusCode() + " " + claim.body());
            return true;
        }
        seen.claim(pool, claimed - start);
        HttpResponse<String> release = post(releaseUri, task);
        long released = System.nanoTime();
        if (release.statusCode() != 200) {
            seen.failures.add("release " + release.statusCode() + " " + release.body());
            return true;
        }
        String decision = release.body().replaceAll(".*\"decision\"\\s*:\\s*\"([a-z]+)\".*", "$1");
        seen.release(pool, released - claimed, decision);
        return !decision.equals("exit");
    }

    private HttpResponse<String> post(URI uri, String taskArn) throws Exception {
        return http.send(HttpRequest.newBuilder(uri).header("Content-Type", "application/json")
                .timeout(Duration.ofSeconds(60))
                .POST(HttpRequest.BodyPublishers.ofString("{\"taskArn\": \"" + taskArn + "\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    record Baseline(long calls, long answered, long throttled, double seconds, Figures.Distribution latency) {
    }

    /**
     * The same clients, each with an ECS client of its own, turning protection on and then off for their tasks
     * straight at the emulator: one UpdateTaskProtection per claim and per release, as a worker without coscale would.
     */
    private Baseline baseline(EcsEmulator emulator, List<Plan> plans, int seconds) throws Exception {
        AtomicLong answered = new AtomicLong();
        AtomicLong throttled = new AtomicLong();
        ConcurrentLinkedQueue<Long> nanos = new ConcurrentLinkedQueue<>();
        ThreadLocal<EcsClient> clients = ThreadLocal.withInitial(() -> Bench.baselineEcsClient(emulator.endpoint()));
        List<Plan> live = plans.stream().filter(p -> !p.pool().equals(exiting())).toList();
        long start = System.nanoTime();
        runAll(live, start + TimeUnit.SECONDS.toNanos(seconds), (pool, task) -> {
            for (boolean enabled : new boolean[] {true, false}) {
                long t0 = System.nanoTime();
                try {
                    clients.get().updateTaskProtection(b -> {
                        b.cluster(CLUSTER).tasks(task).protectionEnabled(enabled);
                        if (enabled) {
                            b.expiresInMinutes(120);
                        }
                    });
                    answered.incrementAndGet();
                } catch (EcsException e) {
                    if (!"ThrottlingException".equals(e.awsErrorDetails().errorCode())) {
                        throw e;
                    }
                    throttled.incrementAndGet();
                }
                nanos.add(System.nanoTime() - t0);
            }
            return true;
        });
        double elapsed = (System.nanoTime() - start) / 1e9;
        return new Baseline(nanos.size(), answered.get(), throttled.get(), elapsed, Figures.Distribution.of(nanos));
    }

    /** Sorts the claims answered 403: a task ECS stopped is gone, any other refusal a failure. */
    private void goneOrFailed(Seen seen) {
        List<String> refused = List.copyOf(seen.refused.keySet());
        for (int i = 0; i < refused.size(); i += EcsGateway.DESCRIBE_TASKS_BATCH) {
            List<String> batch = refused.subList(i, Math.min(refused.size(), i + EcsGateway.DESCRIBE_TASKS_BATCH));
            Set<String> stopped = ecs.describeTasks(b -> b.cluster(CLUSTER).tasks(batch)).tasks().stream()
                    .filter(t -> "STOPPED".equals(t.desiredStatus())).map(Task::taskArn)
                    .collect(Collectors.toSet());
            for (String task : batch) {
                if (stopped.contains(task)) {
                    seen.gone.incrementAndGet();
                } else {
                    seen.failures.add("claim 403 of a task ECS did not stop: " + seen.refused.get(task));
                }
            }
        }
    }

    private int desiredCount(String service) {
        return ecs.describeServices(b -> b.cluster(CLUSTER).services(service)).services().get(0).desiredCount();
    }

    private List<String> taskArns(String service) {
        return ecs.listTasks(b -> b.cluster(CLUSTER).serviceName(service).desiredStatus(DesiredStatus.RUNNING)).taskArns();
    }
}
