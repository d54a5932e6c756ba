package io.coscale.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.coscale.control.ControlPlane;
import io.coscale.control.PoolController;
import io.coscale.control.PoolStatus;
import io.coscale.control.Reconciler;
import io.coscale.local.LocalCloud;
import io.coscale.local.LocalCloudTestResource;
import io.coscale.local.ecs.EcsEmulator;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * The target in README "Benchmarks" "200 pools reconciled per tick with ≤ 20 DescribeServices calls": 200 pools in one cluster (the demo
 * pool moved there, plus 199 more), their services and queues made through the SDK before measuring, then
 * one timed {@link Reconciler#reconcileAll()} at a time, with every ECS and SQS call it made counted.
 */
@QuarkusTest
@QuarkusTestResource(LocalCloudTestResource.class)
@TestProfile(ManyPoolsBenchmark.TwoHundredPools.class)
@Tag("benchmark")
class ManyPoolsBenchmark {

    static final int POOLS = 200;
    static final String CLUSTER = "bench";

    public static class TwoHundredPools implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            Map<String, String> config = new HashMap<>();
            // The timed passes are the only ones: the scheduled tick would interleave its calls with them.
            config.put("coscale.reconcile.interval", "1h");
            // Nor the status page's sampler, whose queue reads would land in the passes' SQS counts.
            config.put("coscale.status.sample-interval", "1h");
            config.put("coscale.local.cluster-capacity", "0");
            config.put("quarkus.sqs.interceptors", SqsCallCounter.class.getName());
            config.putAll(Bench.pools(CLUSTER, extraPools(), 8));
            return config;
        }
    }

    /** The 199 pools beside the demo one. */
    static List<String> extraPools() {
        return Bench.names("p", POOLS);
    }

    @Inject
    LocalCloud localCloud;

    @Inject
    EcsClient ecs;

    @Inject
    SqsClient sqs;

    @Inject
    ControlPlane plane;

    @Inject
    Reconciler reconciler;

    @Test
    void oneReconcilePassOverTwoHundredPools() throws Exception {
        int passes = Bench.knob("pools.passes", 5);
        EcsEmulator emulator = localCloud.emulator().orElseThrow();
        assertThat(plane.pools()).hasSize(POOLS);
        long setupStart = System.nanoTime();
        ecs.createCluster(b -> b.clusterName(CLUSTER));
        createService("demo");
        for (String name : extraPools()) {
            sqs.createQueue(b -> b.queueName(name));
            createService(name);
        }
        long setupSeconds = (System.nanoTime() - setupStart) / 1_000_000_000;
        Thread.sleep(1_500); // ECS's DescribeServices bucket (100 burst, 20/s) full again

        List<String> lines = new ArrayList<>();
        lines.add(String.format(Locale.ROOT, "%d pools in cluster '%s' (services and queues made through the SDK in %d s: "
                + "ECS throttles CreateService at 5/s)", POOLS, CLUSTER, setupSeconds));
        List<Long> millis = new ArrayList<>();
        try (EcsCalls calls = EcsCalls.attach(emulator)) {
            for (int pass = 1; pass <= passes; pass++) {
                calls.clear();
                SqsCallCounter.reset();
                Instant before = Instant.now();
                long start = System.nanoTime();
                reconciler.reconcileAll();
                long took = (System.nanoTime() - start) / 1_000_000;
                millis.add(took);
                Map<String, Long> ecsCalls = calls.calls().stream()
                        .collect(Collectors.groupingBy(EcsCalls.Call::action, TreeMap::new, Collectors.counting()));
                lines.add(String.format(Locale.ROOT, "pass %d: %d ms; ECS calls %s; SQS calls %s", pass, took, ecsCalls,
                        SqsCallCounter.snapshot()));
                List<PoolStatus> statuses = plane.pools().stream().map(PoolController::status).toList();
                assertThat(statuses).as("every pool reconciled in pass %d", pass).allSatisfy(s -> {
                    assertThat(s.lastReconcileAt()).isAfterOrEqualTo(before);
                    assertThat(s.lastError()).isNull();
                });
                if (pass == 1) {
                    assertThat(ecsCalls.get("DescribeServices")).as("DescribeServices calls").isEqualTo(POOLS / 10);
                }
                Thread.sleep(1_100); // 20 DescribeServices per pass = 1 s of ECS's sustained read rate
            }
        }
        lines.add(String.format(Locale.ROOT, "pass duration: min %d ms, max %d ms; DescribeServices per pass %d "
                + "(target <= 20)", millis.stream().mapToLong(Long::longValue).min().orElse(0),
                millis.stream().mapToLong(Long::longValue).max().orElse(0), POOLS / 10));
        Figures.print("reconcile pass over " + POOLS + " pools", lines);
    }

    private void createService(String name) {
        Bench.createService(ecs, CLUSTER, name);
    }
}
