package io.coscale.control;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;
import org.junit.jupiter.api.Test;

/** Delayed jobs in one-second buckets, on a clock and timer the test moves by hand. */
class DelayedJobsTest {

    private static final long MS = 1_000_000L;
    private static final long S = 1_000_000_000L;

    /** A timer that runs its tasks only when the test moves the clock, in the order of their due times. */
    private static final class HandTimer implements DelayedJobs.Timer {
        private record Scheduled(long dueNanos, long seq, Runnable task) {
        }

        private final PriorityQueue<Scheduled> tasks = new PriorityQueue<>(
                Comparator.comparingLong(Scheduled::dueNanos).thenComparingLong(Scheduled::seq));
        private long now;
        private long seq;
        int scheduledTotal;

        HandTimer(long startNanos) {
            now = startNanos;
        }

        @Override
        public void schedule(Runnable task, long delayNanos) {
            scheduledTotal++;
            tasks.add(new Scheduled(now + Math.max(delayNanos, 0), seq++, task));
        }

        long now() {
            return now;
        }

        void advanceTo(long nanos) {
            while (!tasks.isEmpty() && tasks.peek().dueNanos() <= nanos) {
                Scheduled next = tasks.poll();
                now = next.dueNanos();
                next.task().run();
            }
            now = nanos;
        }
    }

    private record Counted(long atNanos, int jobs) {
    }

    private final List<Counted> counted = new ArrayList<>();

    private DelayedJobs jobs(HandTimer timer) {
        return new DelayedJobs(timer, timer::now, n -> counted.add(new Counted(timer.now(), n)));
    }

    @Test
    void manySubmissionsDueInOneSecondShareOneTimerAndAreCountedTogether() {
        HandTimer timer = new HandTimer(200 * MS);
        DelayedJobs delayed = jobs(timer);
        // 1,000 submissions spread over 0.2 s .. 0.8 s, all with a 900 s delay: all due within second 901.
        for (int i = 0; i < 1_000; i++) {
            timer.advanceTo(200 * MS + i * 600_000L);
            delayed.add(1, Duration.ofSeconds(900));
        }
        assertThat(timer.scheduledTotal).isEqualTo(1);
        assertThat(delayed.pendingBuckets()).isEqualTo(1);
        assertThat(delayed.pendingJobs()).isEqualTo(1_000);

        timer.advanceTo(901 * S - 1);
        assertThat(counted).as("the last of them is only due at 900.8 s, rounded up to 901 s").isEmpty();
        timer.advanceTo(901 * S);
        assertThat(counted).containsExactly(new Counted(901 * S, 1_000));
        assertThat(delayed.pendingBuckets()).isZero();
    }

    @Test
    void bucketsFallDueInTheOrderOfTheirSecondsAndTheirCountsAddUp() {
        HandTimer timer = new HandTimer(500 * MS);
        DelayedJobs delayed = jobs(timer);
        delayed.add(3, Duration.ofSeconds(5));
        delayed.add(2, Duration.ofSeconds(2));
        delayed.add(4, Duration.ofMillis(5_400)); // 5.9 s: still second 6
        delayed.add(1, Duration.ofMillis(1_600)); // 2.1 s: second 3, with the 2 s ones
        delayed.add(6, Duration.ofMillis(5_600)); // 6.1 s: second 7
        assertThat(timer.scheduledTotal).isEqualTo(3);

        timer.advanceTo(60 * S);
        assertThat(counted).containsExactly(new Counted(3 * S, 3), new Counted(6 * S, 7), new Counted(7 * S, 6));
        assertThat(counted.stream().mapToInt(Counted::jobs).sum()).isEqualTo(16);
    }

    @Test
    void aJobIsNeverCountedBeforeItsDelayEnds() {
        // Due exactly on a whole second: counted then, not a second later.
        HandTimer onTheSecond = new HandTimer(1 * S);
        jobs(onTheSecond).add(1, Duration.ofSeconds(2));
        onTheSecond.advanceTo(10 * S);
        // nanoTime may be negative: -0.5 s + 1 s = 0.5 s is due in second 1, not second 0.
        HandTimer negative = new HandTimer(-500 * MS);
        jobs(negative).add(1, Duration.ofSeconds(1));
        negative.advanceTo(10 * S);

        assertThat(counted).containsExactly(new Counted(3 * S, 1), new Counted(1 * S, 1));
    }

    @Test
    void jobsAddedAfterABucketFellDueAreCountedByANewTimer() {
        HandTimer timer = new HandTimer(0);
        DelayedJobs delayed = jobs(timer);
        delayed.add(2, Duration.ofMillis(1_500));
        timer.advanceTo(2 * S);
        delayed.add(5, Duration.ofMillis(500));
        timer.advanceTo(10 * S);

        assertThat(counted).containsExactly(new Counted(2 * S, 2), new Counted(3 * S, 5));
        assertThat(timer.scheduledTotal).isEqualTo(2);
    }

    @Test
    void noDelayCountsAtOnceAndNothingCountsNothing() {
        HandTimer timer = new HandTimer(0);
        DelayedJobs delayed = jobs(timer);
        delayed.add(4, Duration.ZERO);
        delayed.add(0, Duration.ofSeconds(30));

        assertThat(counted).containsExactly(new Counted(0, 4));
        assertThat(timer.scheduledTotal).isZero();
    }

    @Test
    void thePendingCountIsTheSumOfTheBucketsStillToFallDue() {
        HandTimer timer = new HandTimer(0);
        DelayedJobs delayed = jobs(timer);
        delayed.add(3, Duration.ofSeconds(1));
        delayed.add(4, Duration.ofSeconds(1));
        delayed.add(5, Duration.ofSeconds(3));
        delayed.add(9, Duration.ZERO);
        assertThat(delayed.pendingJobs()).as("two buckets: 7 due at 1 s, 5 at 3 s; no delay is never pending")
                .isEqualTo(12);

        timer.advanceTo(1 * S);
        assertThat(delayed.pendingJobs()).isEqualTo(5);
        timer.advanceTo(3 * S);
        assertThat(delayed.pendingJobs()).isZero();
    }

    @Test
    void thePendingCountStaysExactWhenManyThreadsAdd() throws Exception {
        List<Runnable> scheduled = java.util.Collections.synchronizedList(new ArrayList<>());
        DelayedJobs delayed = new DelayedJobs((task, nanos) -> scheduled.add(task), () -> 0L, n -> { });
        int threads = 4;
        int each = 5_000;
        var pool = java.util.concurrent.Executors.newFixedThreadPool(threads);
        try {
            List<java.util.concurrent.Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                done.add(pool.submit(() -> {
                    for (int i = 0; i < each; i++) {
                        delayed.add(1, Duration.ofSeconds(1 + i % 7));
                    }
                }));
            }
            for (var d : done) {
                d.get();
            }
        } finally {
            pool.shutdown();
        }
        assertThat(delayed.pendingJobs()).isEqualTo((long) threads * each);

        List.copyOf(scheduled).forEach(Runnable::run);
        assertThat(delayed.pendingJobs()).isZero();
    }
}
