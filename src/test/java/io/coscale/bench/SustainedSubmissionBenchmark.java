package io.coscale.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.coscale.local.LocalCloud;
import io.coscale.local.LocalCloudTestResource;
import io.coscale.local.ecs.EcsEmulator;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.net.URI;
import java.net.http.HttpClient;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The target in README "Benchmarks" "sustained submission: ≥ 2,000 jobs/s, p99 ≤ 100 ms, UpdateService never above 5 per second":
 * closed-loop clients, each with its own keep-alive connection, submit for a fixed time after a warm-up.
 *
 * <p>The cluster has no room and a task takes 50 messages, so the queue only grows and the target keeps
 * rising for the whole run (up to 2,000 tasks): every flush has a new count to set, the worst case for the
 * UpdateService rate. The clients run in the same JVM, on the same 2 cores, as coscale, ElasticMQ and the emulator.
 */
@QuarkusTest
@QuarkusTestResource(LocalCloudTestResource.class)
@TestProfile(SustainedSubmissionBenchmark.GrowingQueue.class)
@Tag("benchmark")
class SustainedSubmissionBenchmark {

    public static class GrowingQueue implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of(
                    "coscale.local.cluster-capacity", "0",
                    "coscale.pools.demo.max-tasks", "2000",
                    "coscale.pools.demo.messages-per-task", "50",
                    "coscale.reconcile.interval", "10s");
        }
    }

    @Inject
    LocalCloud localCloud;

    @TestHTTPResource("/v1/pools/demo/jobs")
    URI jobs;

    @TestHTTPResource("/v1/pools/demo/jobs:batch")
    URI batchJobs;

    @Test
    void sustainedSubmissionWithinTheUpdateServiceBudget() throws Exception {
        int clients = Bench.knob("sustained.clients", 16);
        int warmupSeconds = Bench.knob("sustained.warmupSeconds", 3);
        int seconds = Bench.knob("sustained.seconds", 15);
        // 1: POST /jobs, one job per request (the target's case); n > 1: POST /jobs:batch with n jobs per request.
        int batch = Bench.knob("sustained.batch", 1);
        EcsEmulator emulator = localCloud.emulator().orElseThrow();
        Bench.awaitPoolKnown("demo");
        long throttledBefore = emulator.stats().snapshot().throttled();

        List<ClientResult> results = new ArrayList<>();
        long start;
        long measureFrom;
        long end;
        List<Long> updates;
        CpuProfile cpu;
        try (EcsCalls calls = EcsCalls.attach(emulator)) {
            ExecutorService pool = Executors.newFixedThreadPool(clients);
            cpu = new CpuProfile();
            start = System.nanoTime();
            measureFrom = start + TimeUnit.SECONDS.toNanos(warmupSeconds);
            end = measureFrom + TimeUnit.SECONDS.toNanos(seconds);
            List<Future<ClientResult>> futures = new ArrayList<>();
            for (int i = 0; i < clients; i++) {
                futures.add(pool.submit(() -> runClient(measureFrom, end, batch)));
            }
            for (Future<ClientResult> f : futures) {
                results.add(f.get());
            }
            pool.shutdown();
            Thread.sleep(500); // the last merged scale-up
            updates = calls.updateTimes("demo");
        }
        List<String> cpuLines = cpu.report(results.stream().mapToLong(r -> r.sent).sum(), "job (warm-up included)");

        long accepted = results.stream().mapToLong(r -> r.accepted).sum();
        long refused = results.stream().mapToLong(r -> r.refused).sum();
        long[] all = results.stream().flatMapToLong(r -> Arrays.stream(r.latencies, 0, r.count)).toArray();
        Figures.Distribution latency = Figures.Distribution.of(all);
        double jobsPerSecond = accepted / (seconds * 1.0);
        long duringRun = updates.stream().filter(t -> t >= start && t < end).count();
        int maxPerSecond = Figures.maxInWindow(updates, TimeUnit.SECONDS.toNanos(1));
        long burstSpentAt = burstSpentAt(updates, 50, 5);
        List<Long> afterBurst = updates.stream().filter(t -> t >= burstSpentAt).toList();
        long throttled = emulator.stats().snapshot().throttled() - throttledBefore;

        Figures.print("sustained submission", List.of(
                String.format(Locale.ROOT, "%d closed-loop clients, %d s warm-up, %d s measured, %s", clients, warmupSeconds,
                        seconds, batch == 1 ? "one job per request (POST /jobs)" : batch + " jobs per request (POST /jobs:batch)"),
                String.format(Locale.ROOT, "accepted %d jobs (202), refused %d -> %.0f jobs/s   (target >= 2,000 -> %s)",
                        accepted, refused, jobsPerSecond, jobsPerSecond >= 2000 ? "MET" : "NOT MET"),
                "request latency: " + latency.summary() + "   (target p99 <= 100 ms -> "
                        + (latency.percentileMillis(99) <= 100 ? "MET" : "NOT MET") + ")",
                String.format(Locale.ROOT, "UpdateService calls during the run: %d (%.0f jobs per call)", duringRun,
                        (double) accepted / Math.max(1, duringRun)),
                "UpdateService, most in any 1-s window: " + maxPerSecond + " (ECS allows a burst of 50, then 5/s)",
                burstSpentAt == Long.MAX_VALUE
                        ? "UpdateService burst allowance never spent"
                        : String.format(Locale.ROOT, "UpdateService after the 50-call burst was spent (from +%.1f s): "
                                + "most in any 1-s window %d (must be <= 5)", (burstSpentAt - start) / 1e9,
                                Figures.maxInWindow(afterBurst, TimeUnit.SECONDS.toNanos(1))),
                "UpdateService calls ECS throttled: " + throttled + (throttled == 0 ? "" : "  <- coscale's budget (50/5) equals"
                        + " ECS's limit, which other calls in the account (here CreateService at set-up) also draw on"),
                cpuLines.get(0), cpuLines.get(1)));
        assertThat(refused).as("submissions not accepted").isZero();
    }

    /** When a bucket of {@code burst}, refilled at {@code rate}/s, full at the first call, first has under one token left. */
    private static long burstSpentAt(List<Long> times, int burst, double rate) {
        double tokens = burst;
        long last = times.isEmpty() ? 0 : times.get(0);
        for (long t : times.stream().sorted().toList()) {
            tokens = Math.min(burst, tokens + (t - last) * rate / 1e9) - 1;
            last = t;
            if (tokens < 1) {
                return t;
            }
        }
        return Long.MAX_VALUE;
    }

    private ClientResult runClient(long measureFrom, long end, int batch) throws Exception {
        HttpClient http = Bench.httpClient();
        ClientResult result = new ClientResult();
        String body = "{\"jobs\": [" + String.join(",", java.util.Collections.nCopies(batch, Bench.JOB)) + "]}";
        long now;
        while ((now = System.nanoTime()) < end) {
            int status = batch == 1 ? Bench.submit(http, jobs) : submitBatch(http, body);
            long done = System.nanoTime();
            result.sent += batch;
            if (now >= measureFrom) {
                result.record(status, done - now, batch);
            }
        }
        return result;
    }

    /** 202 only when every entry of the batch was enqueued (an entry SQS refused is listed in "failed"). */
    private int submitBatch(HttpClient http, String body) throws Exception {
        java.net.http.HttpResponse<String> response = http.send(java.net.http.HttpRequest.newBuilder(batchJobs)
                .header("Content-Type", "application/json").POST(java.net.http.HttpRequest.BodyPublishers.ofString(body))
                .build(), java.net.http.HttpResponse.BodyHandlers.ofString());
        return response.statusCode() == 202 && response.body().contains("\"failed\":[]") ? 202 : -response.statusCode();
    }

    private static final class ClientResult {
        long accepted;
        long refused;
        long sent;
        long[] latencies = new long[4096];
        int count;

        void record(int status, long nanos, int jobs) {
            if (status == 202) {
                accepted += jobs;
            } else {
                refused += jobs;
            }
            if (count == latencies.length) {
                latencies = Arrays.copyOf(latencies, count * 2);
            }
            latencies[count++] = nanos;
        }
    }
}
