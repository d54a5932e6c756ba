package io.coscale.domain;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class BacklogTest {

    private static final Instant T0 = Instant.parse("2026-12-01T10:00:00Z");
    private final Backlog backlog = new Backlog();

    @Test
    void jobsAcceptedAfterTheMarkCountOnTopOfTheDepthReadAfterIt() {
        backlog.accepted(3);
        long mark = backlog.mark();
        backlog.accepted(2); // while SQS was being asked: maybe not in its answer
        backlog.observe(new QueueDepth(3, 0, 0), mark, T0);

        assertThat(backlog.depth()).isEqualTo(new QueueDepth(5, 0, 0));
        assertThat(backlog.acceptedSince(mark)).isEqualTo(2);
        assertThat(backlog.lastRead()).isEqualTo(new QueueDepth(3, 0, 0));
    }

    /**
     * Defect 3 of issue 21: a follower counts the jobs it accepts, but never reads the queue; on take-over the backlog
     * is counted from the take-over, not from boot, or a single job after it would look like every job since boot.
     */
    @Test
    void onTakeOverTheBacklogCountsFromTheTakeOverNotFromBoot() {
        long beforeTakeOver = backlog.mark();
        backlog.accepted(40); // as a follower: the leader scaled for these and SQS's depth shows what is left of them

        backlog.restart();
        backlog.accepted(1);

        assertThat(backlog.depth()).isEqualTo(new QueueDepth(1, 0, 0));
        assertThat(backlog.observe(QueueDepth.EMPTY, beforeTakeOver, T0)).as("a read begun before jobs accepted before the take-over")
                .isFalse();
        assertThat(backlog.emptyFor(T0.plusSeconds(60))).isEqualTo(Duration.ZERO);
        long mark = backlog.mark();
        assertThat(backlog.observe(new QueueDepth(3, 0, 0), mark, T0)).isTrue();
        assertThat(backlog.depth()).isEqualTo(new QueueDepth(3, 0, 0));
    }

    @Test
    void anOlderReadArrivingLateIsDropped() {
        long early = backlog.mark();
        backlog.accepted(4);
        long late = backlog.mark();
        assertThat(backlog.observe(new QueueDepth(4, 0, 0), late, T0)).isTrue();
        assertThat(backlog.observe(QueueDepth.EMPTY, early, T0.plusSeconds(1))).isFalse();
        assertThat(backlog.depth().visible()).isEqualTo(4);
    }

    @Test
    void emptyForCountsFromTheFirstEmptyReadAndNotWhileJobsWereAcceptedSince() {
        backlog.observe(QueueDepth.EMPTY, backlog.mark(), T0);
        backlog.observe(QueueDepth.EMPTY, backlog.mark(), T0.plusSeconds(30));
        assertThat(backlog.emptyFor(T0.plusSeconds(60))).isEqualTo(Duration.ofSeconds(60));

        backlog.accepted(1); // a scale-in decision must see it, though no read shows it yet
        assertThat(backlog.emptyFor(T0.plusSeconds(61))).isZero();
    }

    @Test
    void inFlightCountsOnlyAsFarAsBusyTasksCanHoldIt() {
        backlog.observe(new QueueDepth(1, 3, 0), backlog.mark(), T0);
        assertThat(backlog.outstanding(1)).isEqualTo(2);
        assertThat(backlog.outstanding(0)).isEqualTo(1);
    }
}
