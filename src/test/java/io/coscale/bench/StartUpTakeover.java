package io.coscale.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.coscale.control.Pools;
import io.coscale.control.PoolController;
import io.coscale.domain.Pool;
import io.coscale.local.ecs.EcsEmulator;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.IntStream;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.ecs.model.DesiredStatus;
import software.amazon.awssdk.services.ecs.model.EcsException;
import software.amazon.awssdk.services.ecs.model.ListTasksResponse;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchRequestEntry;

/**
 * {@link ManyPoolsBenchmark}'s phase after start-up: the first pass hands every pool its protection take-over (a sweep
 * per cluster, or a ListTasks per pool, paced by coscale's task-read budget), while worker clients claim tasks over
 * HTTP. Before it, a few pools (or every pool) get tasks (PENDING: the clusters have no room), all protected, as the
 * coscale before this one would have left them, and queued work that keeps them. It prints the ListTasks made, the calls ECS throttled, the seconds until every
 * pool had taken over, and the claims made meanwhile (latency, failures). Beside it, the baseline: the same ListTasks
 * sent at once on 16 threads (coscale's ECS threads) without the budget, as coscale did before, with the same
 * claims running.
 */
final class StartUpTakeover {

    /** Client threads claiming tasks during the take-over, as workers beginning a job would. */
    private static final int CLAIM_CLIENTS = 4;
    /**
     * Claims a second, all clients together. Each claim of a task whose lookup is older than 2 s costs a DescribeTasks
     * (merged only with lookups in flight at once), and claims have priority over the take-over in the task-read
     * budget: the take-over gets what they leave of its 15 a second.
     */
    private static final int CLAIMS_PER_SECOND = Bench.knob("pools.claims-per-second", 8);

    private final EcsEmulator emulator;
    private final EcsClient ecs;
    private final SqsClient sqs;
    private final Pools plane;
    private final URI claimUri;
    private final HttpClient http = Bench.httpClient();
    private final List<String> tasks = new ArrayList<>();
    private int perPool;

    StartUpTakeover(EcsEmulator emulator, EcsClient ecs, SqsClient sqs, Pools plane, URI claimUri) {
        this.emulator = emulator;
        this.ecs = ecs;
        this.sqs = sqs;
        this.plane = plane;
        this.claimUri = claimUri;
    }

    private String clusterOf(String pool) {
        return plane.pool(pool).orElseThrow().pool().cluster();
    }

    /**
     * Every pool but the demo one runs {@code perPool} PENDING tasks (its service was made with that count), all
     * protected, with as many queued jobs: claims go to any of them.
     */
    void everyPoolLeftProtected(int perPool) {
        this.perPool = perPool;
        Map<String, Integer> expected = new TreeMap<>();
        for (PoolController pool : plane.pools()) {
            if (pool.pool().name().equals("demo")) {
                continue;
            }
            expected.merge(pool.pool().cluster(), perPool, Integer::sum);
            for (int i = 0; i < perPool; i += 10) {
                int batch = Math.min(10, perPool - i);
                sqs.sendMessageBatch(b -> b.queueUrl(pool.pool().queueUrl()).entries(IntStream.range(0, batch)
                        .mapToObj(n -> SendMessageBatchRequestEntry.builder().id("j" + n).messageBody(Bench.JOB).build())
                        .toList()));
            }
        }
        expected.forEach((cluster, count) -> {
            List<String> arns = new ArrayList<>();
            while (arns.size() < count) {
                arns.clear();
                Bench.sleepUntil(System.nanoTime() + 200_000_000L);
                String token = null;
                do {
                    String page = token;
                    ListTasksResponse[] listed = new ListTasksResponse[1];
                    Bench.waitingOutThrottling(() -> listed[0] = ecs.listTasks(b -> b.cluster(cluster).nextToken(page)
                            .desiredStatus(DesiredStatus.RUNNING)));
                    arns.addAll(listed[0].taskArns());
                    token = listed[0].nextToken();
                } while (token != null);
            }
            protect(cluster, arns);
        });
    }

    private void protect(String cluster, List<String> arns) {
        for (int i = 0; i < arns.size(); i += 10) {
            List<String> batch = arns.subList(i, Math.min(arns.size(), i + 10));
            while (true) {
                try {
                    Bench.waitingOutThrottling(() -> ecs.updateTaskProtection(b -> b.cluster(cluster).tasks(batch)
                            .protectionEnabled(true).expiresInMinutes(120)));
                    break;
                } catch (SdkClientException e) {
                    // Set-up on a loaded machine: a call past the client's timeout is made again (the same change).
                }
            }
        }
        tasks.addAll(arns);
    }

    /** Gives {@code pools} {@code perPool} PENDING tasks each, protected, and as many queued jobs. */
    void tasksLeftProtected(List<String> pools, int perPool) {
        this.perPool = perPool;
        for (String pool : pools) {
            String queueUrl = plane.pool(pool).orElseThrow().pool().queueUrl();
            String cluster = clusterOf(pool);
            for (int i = 0; i < perPool; i++) {
                sqs.sendMessage(b -> b.queueUrl(queueUrl).messageBody(Bench.JOB));
            }
            Bench.waitingOutThrottling(() -> ecs.updateService(b -> b.cluster(cluster).service(pool).desiredCount(perPool)));
        }
        for (String pool : pools) {
            String cluster = clusterOf(pool);
            AtomicReference<List<String>> listed = new AtomicReference<>(List.of());
            while (listed.get().size() < perPool) {
                Bench.sleepUntil(System.nanoTime() + 200_000_000L);
                Bench.waitingOutThrottling(() -> listed.set(ecs.listTasks(b -> b.cluster(cluster).serviceName(pool)
                        .desiredStatus(DesiredStatus.RUNNING)).taskArns()));
            }
            protect(cluster, listed.get());
        }
    }

    /** Claims' latency and failures while something ran. */
    record Claims(Figures.Distribution latency, List<String> failures, long slowestAtMillis) {

        String summary() {
            return latency.summary() + " (the slowest " + slowestAtMillis + " ms after the start), failed "
                    + failures.size() + (failures.isEmpty() ? "" : " (first: " + failures.get(0) + ")");
        }
    }

    /**
     * The first pass after start-up with claims running, until every pool has taken over (at most {@code timeout});
     * then, once ECS's buckets are full again, the baseline. Prints the figures, then asserts.
     */
    void run(EcsCalls calls, Runnable pass, Duration timeout, long refillMillis) throws Exception {
        // As after a lease takeover: the renewal's schedule may have taken over during a long set-up, before the tasks
        // were protected.
        for (PoolController pool : plane.pools()) {
            pool.takeOver().get(10, TimeUnit.SECONDS);
        }
        calls.clear();
        long throttledBefore = emulator.stats().snapshot().throttled();
        long start = System.nanoTime();
        long[] adoptedAt = new long[1];
        Claims claims = claimingWhile(() -> {
            pass.run();
            long deadline = start + timeout.toNanos();
            while (!plane.pools().stream().allMatch(PoolController::protectionTakenOver) && System.nanoTime() < deadline) {
                Bench.sleepUntil(System.nanoTime() + 50_000_000L);
            }
            adoptedAt[0] = System.nanoTime();
        });
        long throttled = emulator.stats().snapshot().throttled() - throttledBefore;
        long pending = plane.pools().stream().filter(p -> !p.protectionTakenOver()).count();
        int protectedTasks = plane.pools().stream().mapToInt(p -> p.status().protectedTasks()).sum();
        int pools = plane.pools().size();
        List<String> lines = new ArrayList<>();
        lines.add(String.format(Locale.ROOT, "%d pools; %d tasks of %d pools protected by the coscale before; %d claims a "
                + "second over them from %d clients", pools, tasks.size(), tasks.size() / perPool, CLAIMS_PER_SECOND,
                CLAIM_CLIENTS));
        long clusters = plane.pools().stream().map(p -> p.pool().cluster()).distinct().count();
        lines.add(String.format(Locale.ROOT, "take-over (%s): %s %.1f s after the first pass began; ListTasks %d (%d "
                + "pools in %d clusters), DescribeTasks %d (claims' included), GetTaskProtection %d; ECS throttled %d "
                + "calls; protected tasks held now %d", System.getProperty(ManyPoolsBenchmark.TAKEOVER_BY, "auto"),
                pending == 0 ? "every pool done" : pending + " pools NOT done", (adoptedAt[0] - start) / 1e9,
                calls.count("ListTasks"), pools, clusters, calls.count("DescribeTasks"), calls.count("GetTaskProtection"),
                throttled, protectedTasks));
        lines.add("  claims during it: " + claims.summary());
        Thread.sleep(refillMillis);
        lines.addAll(unpacedBaseline());
        if (protectedTasks != tasks.size()) {
            lines.addAll(heldByCluster());
        }
        Figures.print("protection take-over after start-up over " + pools + " pools", lines);
        assertThat(pending).as("pools that had not taken over protection within %s", timeout).isZero();
        assertThat(protectedTasks).as("tasks left protected, taken over or claimed").isEqualTo(tasks.size());
    }

    /**
     * Where protection is missing when the take-over holds fewer tasks than were left protected: each cluster's pools
     * by the count they hold, read again now, and the newest events of one pool that holds fewer than it should.
     */
    private List<String> heldByCluster() {
        List<String> lines = new ArrayList<>();
        Map<String, Map<Integer, Integer>> byCluster = new TreeMap<>();
        PoolController shortOne = null;
        for (PoolController pool : plane.pools()) {
            if (pool.pool().name().equals("demo")) {
                continue;
            }
            int held = pool.status().protectedTasks();
            byCluster.computeIfAbsent(pool.pool().cluster(), c -> new TreeMap<>()).merge(held, 1, Integer::sum);
            if (held < perPool && shortOne == null) {
                shortOne = pool;
            }
        }
        byCluster.forEach((cluster, pools) -> lines.add("  held now in " + cluster + " (tasks held=pools): " + pools));
        if (shortOne != null) {
            lines.add("  pool " + shortOne.pool().name() + " holds " + shortOne.status().protectedTasks()
                    + "; its newest events:");
            shortOne.events().newest(20).forEach(event -> lines.add("    " + event));
            Pool pool = shortOne.pool();
            List<String> arns = new ArrayList<>();
            Bench.waitingOutThrottling(() -> arns.addAll(ecs.listTasks(b -> b.cluster(pool.cluster())
                    .serviceName(pool.service()).desiredStatus(DesiredStatus.RUNNING)).taskArns()));
            List<String> protectedByEcs = new ArrayList<>();
            if (!arns.isEmpty()) {
                Bench.waitingOutThrottling(() -> ecs.getTaskProtection(b -> b.cluster(pool.cluster()).tasks(arns))
                        .protectedTasks().stream().filter(t -> Boolean.TRUE.equals(t.protectionEnabled()))
                        .forEach(t -> protectedByEcs.add(t.taskArn() + " until " + t.expirationDate())));
            }
            lines.add("  ECS runs " + arns.size() + " of its tasks and protects " + protectedByEcs.size() + ": "
                    + protectedByEcs);
        }
        return lines;
    }

    /** The baseline: every pool's ListTasks at once on 16 threads, no budget, no retries, with the same claims. */
    private List<String> unpacedBaseline() throws Exception {
        List<Pool> services = plane.pools().stream().map(PoolController::pool).toList();
        AtomicLong throttled = new AtomicLong();
        long start = System.nanoTime();
        long[] took = new long[1];
        EcsClient raw = Bench.baselineEcsClient(emulator.endpoint());
        ExecutorService threads = Executors.newFixedThreadPool(16);
        Claims claims;
        try {
            claims = claimingWhile(() -> {
                List<Future<?>> sent = new ArrayList<>();
                for (Pool service : services) {
                    sent.add(threads.submit(() -> {
                        try {
                            raw.listTasks(b -> b.cluster(service.cluster()).serviceName(service.service())
                                    .desiredStatus(DesiredStatus.RUNNING));
                        } catch (EcsException e) {
                            if (!"ThrottlingException".equals(e.awsErrorDetails().errorCode())) {
                                throw e;
                            }
                            throttled.incrementAndGet();
                        }
                    }));
                }
                for (Future<?> f : sent) {
                    try {
                        f.get();
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }
                took[0] = System.nanoTime() - start;
                // Claims go on for as long as the paced take-over's reads would have: a throttled take-over retries.
                Bench.sleepUntil(start + TimeUnit.SECONDS.toNanos(5));
            });
        } finally {
            threads.shutdownNow();
            raw.close();
        }
        return List.of(
                String.format(Locale.ROOT, "baseline, the same %d ListTasks at once on 16 threads (no budget, no "
                        + "retries), as coscale took over before: %d throttled, sent in %d ms", services.size(),
                        throttled.get(), took[0] / 1_000_000),
                "  claims during it and the 5 s after its start: " + claims.summary());
    }

    /** Runs {@code work} while {@link #CLAIM_CLIENTS} threads claim the tasks in turn over HTTP. */
    private Claims claimingWhile(ThrowingRunnable work) throws Exception {
        AtomicBoolean running = new AtomicBoolean(true);
        long start = System.nanoTime();
        long[] slowest = new long[2]; // its latency, and when it began
        ConcurrentLinkedQueue<Long> nanos = new ConcurrentLinkedQueue<>();
        ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
        ExecutorService clients = Executors.newFixedThreadPool(CLAIM_CLIENTS);
        try {
            for (int c = 0; c < CLAIM_CLIENTS; c++) {
                int first = c;
                clients.submit(() -> {
                    long gap = TimeUnit.SECONDS.toNanos(CLAIM_CLIENTS) / CLAIMS_PER_SECOND;
                    long next = System.nanoTime() + gap * first / CLAIM_CLIENTS;
                    for (int i = first; running.get(); i += CLAIM_CLIENTS) {
                        Bench.sleepUntil(next);
                        next += gap;
                        String task = tasks.get(i % tasks.size());
                        long t0 = System.nanoTime();
                        try {
                            HttpResponse<String> answer = http.send(HttpRequest.newBuilder(claimUri)
                                    .header("Content-Type", "application/json").timeout(Duration.ofSeconds(30))
                                    .POST(HttpRequest.BodyPublishers.ofString("{\"taskArn\": \"" + task + "\"}")).build(),
                                    HttpResponse.BodyHandlers.ofString());
                            if (answer.statusCode() != 200) {
                                failures.add(answer.statusCode() + " " + answer.body());
                            }
                        } catch (Exception e) {
                            failures.add(e.toString());
                        }
                        long took = System.nanoTime() - t0;
                        nanos.add(took);
                        synchronized (slowest) {
                            if (took > slowest[0]) {
                                slowest[0] = took;
                                slowest[1] = t0 - start;
                            }
                        }
                    }
                });
            }
            work.run();
        } finally {
            running.set(false);
            clients.shutdown();
            clients.awaitTermination(60, TimeUnit.SECONDS);
        }
        return new Claims(Figures.Distribution.of(nanos), List.copyOf(failures), slowest[1] / 1_000_000);
    }

    interface ThrowingRunnable {
        void run() throws Exception;
    }
}
