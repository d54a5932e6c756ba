package io.coscale.control;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.function.IntConsumer;
import java.util.function.LongSupplier;

/**
 * Jobs that SQS holds back with a delay, waiting to be counted until their delay ends. Jobs whose delay ends
 * within the same second share one bucket and one timer: at 2,000 delayed jobs a second with 900-second delays
 * that is at most 901 pending timers per pool, not 1.8 million.
 *
 * <p>Guarantees: a job is counted once, never lost, and no earlier than its delay ends: its due time is rounded
 * <em>up</em> to its bucket's whole second, so it is counted at most one second late. When a bucket is due, its
 * total is handed to {@code due} in one call. Buckets fall due in the order of their seconds (as far as the
 * timer runs tasks in the order of their due times, as {@link java.util.concurrent.ScheduledExecutorService}
 * does).
 *
 * <p>Thread-safe. Time comes from the given nanosecond clock and timer so that tests can drive both.
 */
final class DelayedJobs {

    /** Runs {@code task} once, no sooner than {@code delayNanos} from now by the same clock. */
    @FunctionalInterface
    interface Timer {
        void schedule(Runnable task, long delayNanos);
    }

    private static final long SECOND = 1_000_000_000L;

    private final Timer timer;
    private final LongSupplier nanoClock;
    private final IntConsumer due;

    // @GuardedBy("this"): the second (of nanoClock) in which a bucket falls due → jobs in it. A bucket is in the
    // map from its first job until its timer takes it out, so a job either joins a bucket whose timer is still
    // to come or opens a new one with its own timer.
    private final Map<Long, Integer> buckets = new HashMap<>();
    // The sum of the buckets, kept as they change so that a metrics scrape reads one field: written under the
    // lock, read without it.
    private volatile long pendingJobs;

    /**
     * @param timer runs each bucket's one task when the bucket is due
     * @param nanoClock monotonic nanoseconds, the timer's clock ({@link System#nanoTime()} in production)
     * @param due called with a bucket's total once its second has come; must not throw
     */
    DelayedJobs(Timer timer, LongSupplier nanoClock, IntConsumer due) {
        this.timer = timer;
        this.nanoClock = nanoClock;
        this.due = due;
    }

    /**
     * Counts {@code count} jobs once {@code delay} from now has passed, rounded up to the whole second; a
     * delay of zero or less counts them at once, on the caller's thread. Never waits.
     */
    void add(int count, Duration delay) {
        if (count <= 0) {
            return;
        }
        if (delay.isZero() || delay.isNegative()) {
            due.accept(count);
            return;
        }
        long now = nanoClock.getAsLong();
        long second = ceilSeconds(now + delay.toNanos());
        boolean opened;
        synchronized (this) {
            opened = buckets.put(second, buckets.getOrDefault(second, 0) + count) == null;
            pendingJobs += count;
        }
        if (opened) {
            // Scheduled outside the lock: the bucket cannot fall due before this timer exists, so jobs that join
            // it meanwhile are counted by this timer.
            timer.schedule(() -> fallDue(second), second * SECOND - now);
        }
    }

    /** How many buckets, so timers, are pending. */
    synchronized int pendingBuckets() {
        return buckets.size();
    }

    /** How many jobs wait in pending buckets: accepted with a delay and not yet counted. Cheap; never blocks. */
    long pendingJobs() {
        return pendingJobs;
    }

    private void fallDue(long second) {
        Integer total;
        synchronized (this) {
            total = buckets.remove(second);
            if (total != null) {
                pendingJobs -= total;
            }
        }
        if (total != null) {
            due.accept(total);
        }
    }

    /** The whole second at or after {@code nanos}; nanoTime may be negative, so no plain division. */
    static long ceilSeconds(long nanos) {
        return -Math.floorDiv(-nanos, SECOND);
    }
}
