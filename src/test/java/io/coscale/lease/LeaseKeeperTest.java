package io.coscale.lease;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Two keepers over one {@link MemoryLeaseStore}, heartbeats driven by hand on a fake clock (duration 10 s, margin
 * 1 s, heartbeat 2 s). Each keeper reads the shared real time through its own offset, hours apart.
 */
class LeaseKeeperTest {

    static final Duration DURATION = Duration.ofSeconds(10);
    static final Duration MARGIN = Duration.ofSeconds(1);
    static final Duration HEARTBEAT = Duration.ofSeconds(2);

    final AtomicLong realMillis = new AtomicLong(1_000);
    final MemoryLeaseStore shared = new MemoryLeaseStore();
    final List<LeadershipChanged> aChanges = new ArrayList<>();
    final List<LeadershipChanged> bChanges = new ArrayList<>();
    final MeterRegistry aMetrics = new SimpleMeterRegistry();
    final MeterRegistry bMetrics = new SimpleMeterRegistry();
    final LeaseKeeper a = keeper("a", shared, Duration.ofHours(3), aChanges, aMetrics);
    final LeaseKeeper b = keeper("b", shared, Duration.ofHours(-7), bChanges, bMetrics);

    LeaseKeeper keeper(String id, LeaseStore store, Duration clockOffset, List<LeadershipChanged> changes,
            MeterRegistry metrics) {
        LeaseRules rules = new LeaseRules("coscale", id, "http://" + id + ":8080", DURATION, MARGIN);
        return new LeaseKeeper(store, rules, () -> (realMillis.get() + clockOffset.toMillis()) * 1_000_000,
                changes::add, HEARTBEAT, metrics);
    }

    /** The shared store, unanswering (every call fails) while {@code down}. */
    LeaseStore flaky(AtomicBoolean down) {
        return new LeaseStore() {
            @Override
            public Optional<LeaseItem> read(String name) {
                if (down.get()) {
                    throw new LeaseStoreException("down", null);
                }
                return shared.read(name);
            }

            @Override
            public boolean write(LeaseItem item, long expectedVersion) {
                if (down.get()) {
                    throw new LeaseStoreException("down", null);
                }
                return shared.write(item, expectedVersion);
            }
        };
    }

    void advance(Duration by) {
        realMillis.addAndGet(by.toMillis());
    }

    void assertNeverTwoLeaders() {
        assertThat(a.isLeader() && b.isLeader()).as("a and b lead at once").isFalse();
    }

    @Test
    void exactlyOneOfTwoLeadsAndTheOtherKnowsWhoAndWhere() {
        for (int i = 0; i < 30; i++) {
            a.heartbeat();
            b.heartbeat();
            assertThat(List.of(a.isLeader(), b.isLeader())).containsExactly(true, false);
            advance(HEARTBEAT);
        }
        assertThat(a.epoch()).isEqualTo(1);
        assertThat(b.epoch()).isEqualTo(1);
        assertThat(b.leaderId()).contains("a");
        assertThat(b.leaderAddress()).contains("http://a:8080");
        assertThat(a.leaderId()).contains("a");
        assertThat(b.selfId()).isEqualTo("b");
        a.checkWrite();
        assertThatThrownBy(b::checkWrite).isInstanceOf(NotLeaderException.class)
                .satisfies(e -> assertThat(((NotLeaderException) e).leaderAddress()).contains("http://a:8080"));
        assertThat(aChanges).containsExactly(new LeadershipChanged(true, 1));
        assertThat(bChanges).isEmpty();
        assertThat(aMetrics.get("coscale.leader").gauge().value()).isEqualTo(1);
        assertThat(bMetrics.get("coscale.leader").gauge().value()).isZero();
        assertThat(aMetrics.get("coscale.lease.takeovers").counter().count()).isEqualTo(1);
    }

    @Test
    void whenTheLeaderStopsTheOtherTakesOverWithTheNextEpochAndTheOldOneStepsDownUnawares() {
        a.heartbeat();
        b.heartbeat();
        advance(HEARTBEAT);
        a.heartbeat();  // a's last renewal: it stops heartbeating from here on, as if its thread hung
        long lastWrite = realMillis.get();
        List<Long> checkWritePassed = new ArrayList<>();
        long bLeads = -1;
        for (long t = 0; t <= 20_000; t += 100) {
            if (t % HEARTBEAT.toMillis() == 0) {
                b.heartbeat();
            }
            assertNeverTwoLeaders();
            if (bLeads < 0 && b.isLeader()) {
                bLeads = realMillis.get() - lastWrite;
            }
            try {
                a.checkWrite();
                checkWritePassed.add(realMillis.get() - lastWrite);
            } catch (NotLeaderException e) {
                assertThat(e.getMessage()).contains("replica a does not hold the lease");
            }
            advance(Duration.ofMillis(100));
        }
        // b first saw a's last version at most one heartbeat after it was written, then waited duration + margin.
        assertThat(bLeads).isBetween(DURATION.plus(MARGIN).toMillis(), DURATION.plus(MARGIN).plus(HEARTBEAT).toMillis());
        assertThat(b.epoch()).isEqualTo(2);
        assertThat(bChanges).containsExactly(new LeadershipChanged(true, 2));
        assertThat(bMetrics.get("coscale.lease.epoch").gauge().value()).isEqualTo(2);
        // a's own view ran out at duration − margin, its writes a margin before that, without a word from b.
        assertThat(checkWritePassed).isNotEmpty().allMatch(t -> t <= DURATION.minus(MARGIN.multipliedBy(2)).toMillis());
        assertThat(a.isLeader()).isFalse();
        assertThat(a.epoch()).as("a never heard of epoch 2").isEqualTo(1);
        assertThat(aChanges).containsExactly(new LeadershipChanged(true, 1));

        a.heartbeat();  // a wakes up: its renewal is refused, it reads and follows b
        assertThat(a.isLeader()).isFalse();
        assertThat(a.leaderId()).contains("b");
        assertThat(a.epoch()).isEqualTo(2);
        assertThat(aChanges).containsExactly(new LeadershipChanged(true, 1), new LeadershipChanged(false, 2));
    }

    @Test
    void aLeaderThatStopsHandsOverAndTheOtherLeadsAtItsNextHeartbeat() {
        List<Long> pauses = new ArrayList<>();
        LeaseKeeper handing = new LeaseKeeper(shared, new LeaseRules("coscale", "c", "http://c:8080", DURATION, MARGIN),
                () -> realMillis.get() * 1_000_000, aChanges::add, HEARTBEAT, aMetrics, nanos -> {
                    pauses.add(nanos);
                    assertThat(b.isLeader()).as("nobody leads while the writes checked before the stop go out").isFalse();
                    advance(Duration.ofNanos(nanos));
                });
        handing.heartbeat();
        b.heartbeat();
        assertThat(handing.isLeader()).isTrue();
        advance(HEARTBEAT);

        handing.stop();
        assertThat(pauses).containsExactly(MARGIN.toNanos());
        assertThat(handing.isLeader()).isFalse();
        assertThatThrownBy(handing::checkWrite).isInstanceOf(NotLeaderException.class);
        assertThat(aChanges).containsExactly(new LeadershipChanged(true, 1), new LeadershipChanged(false, 1));
        assertThat(shared.read("coscale")).map(LeaseItem::released).contains(true);

        b.heartbeat();
        assertThat(b.isLeader()).as("b leads at its next heartbeat, not duration + margin later").isTrue();
        assertThat(b.epoch()).isEqualTo(2);
        handing.heartbeat();
        assertThat(handing.isLeader()).as("a stopped keeper heartbeats no more").isFalse();
        assertThat(shared.read("coscale").map(LeaseItem::holder)).contains("b");
    }

    /**
     * Defect 4 of issue 21: a hand-over (SIGTERM) releases the lease only after the ECS writes checked against it have
     * ended, so that a slow write of the old leader cannot land after the new leader's.
     */
    @Test
    void aHandOverWaitsForTheEcsWritesInFlightBeforeReleasingTheLease() throws Exception {
        LeaseKeeper handing = new LeaseKeeper(shared, new LeaseRules("coscale", "c", "http://c:8080", DURATION, MARGIN),
                () -> realMillis.get() * 1_000_000, aChanges::add, HEARTBEAT, aMetrics, nanos -> advance(Duration.ofNanos(nanos)));
        handing.heartbeat();
        assertThat(handing.isLeader()).isTrue();
        CountDownLatch writing = new CountDownLatch(1);
        CountDownLatch ecsAnswers = new CountDownLatch(1);
        CompletableFuture<String> write = CompletableFuture.supplyAsync(() -> handing.fenced(() -> {
            writing.countDown();
            try {
                ecsAnswers.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return "written";
        }));
        writing.await();

        CompletableFuture<Void> stopping = CompletableFuture.runAsync(handing::stop);
        await().atMost(Duration.ofSeconds(5)).until(() -> !handing.isLeader());
        assertThatThrownBy(handing::checkWrite).as("no new write once the hand-over began")
                .isInstanceOf(NotLeaderException.class);
        await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2)).until(() -> !stopping.isDone());
        assertThat(shared.read("coscale")).map(LeaseItem::released).as("not released while a write is in flight")
                .contains(false);

        ecsAnswers.countDown();
        assertThat(write.get(5, TimeUnit.SECONDS)).isEqualTo("written");
        stopping.get(5, TimeUnit.SECONDS);
        assertThat(shared.read("coscale")).map(LeaseItem::released).contains(true);
    }

    @Test
    void aFollowerThatStopsWritesNothing() {
        a.heartbeat();
        b.heartbeat();
        LeaseItem before = shared.read("coscale").orElseThrow();
        b.stop();
        assertThat(shared.read("coscale")).contains(before);
        assertThat(a.isLeader()).isTrue();
    }

    @ParameterizedTest(name = "duration {0}, heartbeat {1}, margin {2}: {3}")
    @CsvSource({
            "PT10S,  PT2S,    PT1S,    true",
            "PT10S,  PT4S,    PT1S,    true",
            "PT10S,  PT4.001S, PT1S,   false",
            "PT1S,   PT0.2S,  PT0.1S,  true",
            "PT10S,  PT0S,    PT1S,    false",
            "PT10S,  PT2S,    PT-1S,   false",
            "PT3S,   PT2S,    PT1S,    false",
    })
    void twoHeartbeatsMustFitInTheLeaseLessBothMargins(Duration duration, Duration heartbeat, Duration margin,
            boolean accepted) {
        if (accepted) {
            LeaseKeeper.checkTiming(duration, heartbeat, margin);
        } else {
            assertThatThrownBy(() -> LeaseKeeper.checkTiming(duration, heartbeat, margin))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("coscale.lease:");
        }
    }

    @Test
    void aStoreThatStopsAnsweringCostsTheLeaseAtItsEndAndNothingEscapes() {
        AtomicBoolean down = new AtomicBoolean();
        LeaseStore flaky = flaky(down);
        List<LeadershipChanged> changes = new ArrayList<>();
        LeaseKeeper keeper = keeper("c", flaky, Duration.ZERO, changes, new SimpleMeterRegistry());
        keeper.heartbeat();
        assertThat(keeper.isLeader()).isTrue();
        down.set(true);
        for (int i = 0; i < 5; i++) {
            advance(HEARTBEAT);
            keeper.heartbeat();
        }
        assertThat(keeper.isLeader()).isFalse();
        assertThat(changes).containsExactly(new LeadershipChanged(true, 1), new LeadershipChanged(false, 1));

        down.set(false);
        advance(HEARTBEAT);
        keeper.heartbeat();  // nobody took over: its renewal of the version it wrote goes through, same epoch
        assertThat(keeper.isLeader()).isTrue();
        assertThat(keeper.epoch()).isEqualTo(1);
    }

    /** What the health checks read: the loop ticks whether or not the store answers; the store's last answer ages. */
    @Test
    void theLastHeartbeatAndTheStoresLastAnswerAreTimedApart() {
        AtomicBoolean down = new AtomicBoolean();
        LeaseStore flaky = flaky(down);
        LeaseKeeper follower = keeper("c", flaky, Duration.ZERO, new ArrayList<>(), new SimpleMeterRegistry());
        assertThat(follower.sinceHeartbeat()).isEmpty();
        assertThat(follower.sinceStoreAnswered()).isEmpty();
        a.heartbeat();
        follower.heartbeat();
        assertThat(follower.isLeader()).isFalse();
        assertThat(follower.sinceStoreAnswered()).contains(Duration.ZERO);

        down.set(true);
        advance(HEARTBEAT);
        follower.heartbeat();
        advance(Duration.ofMillis(300));
        assertThat(follower.sinceHeartbeat()).contains(Duration.ofMillis(300));
        assertThat(follower.sinceStoreAnswered()).contains(HEARTBEAT.plusMillis(300));
    }
}
