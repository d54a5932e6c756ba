package io.coscale.local.ecs;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.coscale.local.ecs.EcsState.Cluster;
import io.coscale.local.ecs.EcsState.Container;
import io.coscale.local.ecs.EcsState.Service;
import io.coscale.local.ecs.EcsState.TaskDefinition;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The version history behind stale reads, on a clock the test sets: what a read may see, and what is forgotten. */
class StaleReadsHistoryTest {

    private static final Duration WINDOW = Duration.ofSeconds(1);
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    private static final Instant CHANGED = T0.plusMillis(100);

    private final EcsState state = new EcsState();
    private final EmulatorStats stats = new EmulatorStats();
    private final StaleReads reads = new StaleReads(state, stats, new Random(7));
    private Cluster cluster;
    private Service service;

    @BeforeEach
    void aServiceWhoseDesiredCountChangesFromZeroToTwo() {
        cluster = state.clusters.computeIfAbsent("c", Cluster::new);
        TaskDefinition definition = new TaskDefinition("f", 1, List.of(new Container("main", "img", Map.of(), 30)),
                "256", "512");
        service = new Service("s", cluster, definition, 0, DeploymentConfiguration.DEFAULT, T0);
        cluster.services.put(service.name, service);
        reads.record(WINDOW, T0);
        service.desiredCount = 2;
        reads.record(WINDOW, CHANGED);
    }

    @Test
    void readsDuringTheWindowMayShowEitherVersionAndAfterItOnlyTheNewOne() {
        assertThat(desiredCountsSeenAt(CHANGED.plus(WINDOW.dividedBy(2)))).containsExactlyInAnyOrder(0, 2);
        assertThat(desiredCountsSeenAt(CHANGED.plus(WINDOW))).containsExactly(2);
        assertThat(desiredCountsSeenAt(CHANGED.minusMillis(1))).containsExactly(0);
    }

    @Test
    void versionsOlderThanTheWindowAreForgottenButTheNewest() {
        assertThat(reads.versionsKept()).isEqualTo(2);

        reads.record(WINDOW, CHANGED.plus(WINDOW));

        assertThat(reads.versionsKept()).isEqualTo(1);
        assertThat(desiredCountsSeenAt(CHANGED.plus(WINDOW))).containsExactly(2);
    }

    @Test
    void aVanishedEntityMayStillBeSeenDuringTheWindowThenIsForgotten() {
        cluster.services.remove(service.name);
        Instant gone = CHANGED.plusMillis(100);
        reads.record(WINDOW, gone);
        ObjectNode missing = EcsJson.object();
        missing.putArray("services");
        missing.putArray("failures").add(EcsJson.failure(service.arn, "MISSING"));

        ObjectNode before = reads.answer("DescribeServices", missing, WINDOW, gone.minusMillis(1));
        assertThat(before.path("services")).hasSize(1);
        assertThat(before.path("failures")).isEmpty();

        reads.record(WINDOW, gone.plus(WINDOW));
        assertThat(reads.versionsKept()).isZero();
    }

    @Test
    void closingTheWindowForgetsEverythingAndAnswersFresh() {
        reads.record(Duration.ZERO, CHANGED);

        assertThat(reads.versionsKept()).isZero();
        ObjectNode fresh = describe();
        assertThat(reads.answer("DescribeServices", fresh, Duration.ZERO, CHANGED)).isSameAs(fresh);
    }

    private Set<Integer> desiredCountsSeenAt(Instant now) {
        Set<Integer> seen = new HashSet<>();
        for (int i = 0; i < 200; i++) {
            seen.add(reads.answer("DescribeServices", describe(), WINDOW, now).path("services").get(0)
                    .path("desiredCount").asInt());
        }
        return seen;
    }

    private ObjectNode describe() {
        ObjectNode fresh = EcsJson.object();
        fresh.putArray("services").add(EcsJson.service(service));
        fresh.putArray("failures");
        return fresh;
    }
}
