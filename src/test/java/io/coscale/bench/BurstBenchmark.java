package io.coscale.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.coscale.local.LocalCloud;
import io.coscale.local.LocalCloudTestResource;
import io.coscale.local.ecs.EcsEmulator;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.net.URI;
import java.net.http.HttpClient;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.ecs.model.EcsException;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * The target in docs/BENCHMARKS.md "a burst of 1,000 jobs: ≤ 20 UpdateService calls; the one-call-per-job pattern hits the throttle":
 * 1,000 jobs from many clients at once through coscale, then the same burst from clients that each send their
 * job to SQS and call UpdateService themselves (the real SDK, retries off so that every throttle is counted),
 * against the same emulator. maxTasks is 1,000, so every merged flush still has a higher count to set.
 */
@QuarkusTest
@QuarkusTestResource(LocalCloudTestResource.class)
@TestProfile(BurstBenchmark.NoRoom.class)
@Tag("benchmark")
class BurstBenchmark {

    public static class NoRoom extends NoRoomProfile {
    }

    private static final String PER_JOB_SERVICE = "bench-per-job";

    @Inject
    LocalCloud localCloud;

    @Inject
    EcsClient ecs;

    @Inject
    SqsClient sqs;

    @TestHTTPResource("/v1/pools/demo/jobs")
    URI jobs;

    @Test
    void aBurstCostsAHandfulOfCallsWhereOnePerJobIsThrottled() throws Exception {
        int burst = Bench.knob("burst.jobs", 1000);
        int clients = Bench.knob("burst.clients", 32);
        EcsEmulator emulator = localCloud.emulator().orElseThrow();
        Bench.awaitPoolKnown("demo");
        String perJobQueue = sqs.createQueue(b -> b.queueName(PER_JOB_SERVICE)).queueUrl();
        Bench.createService(ecs, "local", PER_JOB_SERVICE);
        Thread.sleep(1_000); // ECS's UpdateService bucket back to full after set-up

        long coscaleCalls;
        long coscaleMillis;
        long settleMillis;
        long throttledByEcs;
        List<Object> lastChanges;
        AtomicInteger ok = new AtomicInteger();
        AtomicInteger throttled = new AtomicInteger();
        AtomicInteger otherErrors = new AtomicInteger();
        long perJobMillis;
        try (EcsCalls calls = EcsCalls.attach(emulator)) {
            long throttledBefore = emulator.stats().snapshot().throttled();
            long start = System.nanoTime();
            List<Integer> statuses = run(burst, clients, () -> Bench.submit(perThreadClient(), jobs));
            coscaleMillis = (System.nanoTime() - start) / 1_000_000;
            assertThat(statuses).as("every job accepted").hasSize(burst).containsOnly(202);
            // The merged scale-ups end once the count covers the burst (maxTasks 1,000).
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(20)).until(() ->
                    calls.calls().stream().anyMatch(c -> "demo".equals(c.service()) && c.desiredCount() >= Math.min(burst, 1000)));
            settleMillis = (calls.updateTimes("demo").stream().mapToLong(Long::longValue).max().orElse(start) - start) / 1_000_000;
            Thread.sleep(500);
            coscaleCalls = calls.updateTimes("demo").size();
            lastChanges = io.restassured.RestAssured.given().get("/v1/pools/demo/events?limit=3").then().statusCode(200)
                    .extract().jsonPath().getList("collect { it.kind + ' ' + it.from + '->' + it.to + ' (' + it.reason + ')' }");
            throttledByEcs = emulator.stats().snapshot().throttled() - throttledBefore;

            // Let ECS's bucket refill (50 burst, 5/s) before the baseline, so both start on a full budget.
            Thread.sleep(Math.min(10_000, coscaleCalls * 200 + 1_000));
            AtomicInteger next = new AtomicInteger();
            long baselineStart = System.nanoTime();
            run(burst, clients, () -> {
                sqs.sendMessage(b -> b.queueUrl(perJobQueue).messageBody(Bench.JOB));
                int desired = next.incrementAndGet();
                try {
                    ecs.updateService(b -> b.cluster("local").service(PER_JOB_SERVICE).desiredCount(desired));
                    ok.incrementAndGet();
                } catch (EcsException e) {
                    if ("ThrottlingException".equals(e.awsErrorDetails().errorCode())) {
                        throttled.incrementAndGet();
                    } else {
                        otherErrors.incrementAndGet();
                    }
                }
                return 0;
            });
            perJobMillis = (System.nanoTime() - baselineStart) / 1_000_000;
        }

        Figures.print("burst of " + burst + " jobs", List.of(
                String.format(Locale.ROOT, "coscale: %d clients, all %d accepted in %d ms; UpdateService calls %d "
                        + "(target <= 20 -> %s), last one +%d ms, throttled by ECS %d", clients, burst, coscaleMillis,
                        coscaleCalls, coscaleCalls <= 20 ? "MET" : "NOT MET", settleMillis, throttledByEcs),
                "coscale's last changes, newest first: " + lastChanges,
                String.format(Locale.ROOT, "one UpdateService per job (SDK, no retries): %d calls in %d ms -> "
                        + "%d succeeded, %d ThrottlingException, %d other errors", burst, perJobMillis, ok.get(),
                        throttled.get(), otherErrors.get()),
                String.format(Locale.ROOT, "ratio: per-job pattern makes x%.0f the calls; %.0f%% of them throttled",
                        burst / (double) Math.max(1, coscaleCalls), 100.0 * throttled.get() / burst)));
    }

    private static final ThreadLocal<HttpClient> CLIENTS = ThreadLocal.withInitial(Bench::httpClient);

    private static HttpClient perThreadClient() {
        return CLIENTS.get();
    }

    /** Runs {@code count} tasks from {@code clients} threads at once; returns their results in order. */
    private static List<Integer> run(int count, int clients, java.util.concurrent.Callable<Integer> job) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        try {
            List<Future<Integer>> futures = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                futures.add(pool.submit(job));
            }
            List<Integer> results = new ArrayList<>();
            for (Future<Integer> f : futures) {
                results.add(f.get());
            }
            return results;
        } finally {
            pool.shutdownNow();
        }
    }
}
