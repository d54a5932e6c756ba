package io.coscale.control;

import io.coscale.concurrent.Futures;
import io.coscale.concurrent.SerialSteps;
import io.coscale.domain.Event;
import io.coscale.domain.Pool;
import io.coscale.domain.ScaleUpPacing;
import io.coscale.domain.ScalingPolicy;
import io.coscale.domain.Words;
import io.coscale.lease.NotLeaderException;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A pool's merged scale-up, and its exits' merged decrement. A submission only counts the jobs SQS accepted and, if no
 * flush is queued, queues one; so does an exit recorded on its task. The flush (a step) computes the target from
 * everything counted so far, from the heading the pending exits leave, paced by {@link ScaleUpPacing}, and writes it
 * in one UpdateService with every exit recorded by then: absorbed by the raise, or lowered for
 * ({@link PendingExits}). A failed scale-up is re-queued with backoff: never dropped.
 */
final class ScaleUp {

    /**
     * What {@link PoolState#accept} found: the scale-up target, and the heading it compares with (the count less the
     * pending exits; null: the count is not yet known).
     */
    record Accepted(int target, Integer heading) {

        /** The desiredCount the pool is heading for once these jobs are counted. */
        int next() {
            return heading == null ? target : Math.max(heading, target);
        }

        /** Whether the jobs counted so far need more tasks than the pool heads for (or the count is not known). */
        boolean needsMore() {
            return heading == null || target > heading;
        }
    }

    private final Pool pool;
    private final ControlContext ctx;
    private final SerialSteps steps;
    private final EventLog events;
    private final PoolState state;
    private final ScaleUpPacing pacing;

    // All @GuardedBy("state"): counting a submission and queueing its flush are one step.
    private boolean flushQueued;
    private long lastFlushNanos = Long.MIN_VALUE / 2;
    private long gapNanos;
    private int flushFailures;
    /** Set once the pool is no longer managed (deleted or redefined): no scale-up is queued for later submissions. */
    private volatile boolean retired;

    ScaleUp(Pool pool, ControlContext ctx, SerialSteps steps, EventLog events, PoolState state) {
        this.pool = pool;
        this.ctx = ctx;
        this.steps = steps;
        this.events = events;
        this.state = state;
        this.pacing = new ScaleUpPacing(ctx.scaleUpSpacing().toNanos(), ctx.scaleUpSpacingMax().toNanos());
        this.gapNanos = pacing.firstGapNanos();
    }

    /**
     * Counts {@code jobs} SQS has accepted (of a FIFO queue: with the groups they name) and, when they need more tasks
     * than are desired, queues a merged scale-up; the pool's one door for counting submissions. Never waits for ECS.
     * Once the pool is retired it counts nothing and answers the count as it is.
     *
     * @return the desiredCount the pool is heading for
     */
    int submitted(int jobs, List<String> messageGroups) {
        if (retired) {
            return state.desired();
        }
        return count(jobs, messageGroups);
    }

    /** The pool is no longer managed: submissions counted later queue no scale-up (see {@link PoolController#retire}). */
    void retire() {
        retired = true;
    }

    private int count(int jobs, List<String> messageGroups) {
        boolean queueFlush;
        int heading;
        boolean leads = ctx.leadership().isLeader();
        synchronized (state) {
            Accepted accepted = state.accept(jobs, messageGroups);
            heading = accepted.next();
            queueFlush = leads && !flushQueued && accepted.needsMore();
            flushQueued |= queueFlush;
        }
        if (!leads && (jobs > 0 || !messageGroups.isEmpty())) {
            // Another replica writes ECS: it raises the count; this one only tells it.
            ctx.counts().forward(pool.name(), jobs, messageGroups);
        }
        if (queueFlush) {
            scheduleFlush(0);
        }
        return heading;
    }

    /**
     * An exit's record landed on its task: its decrement waits for the pool's next flush, merged with every other exit
     * recorded by then, or absorbed by its raise. Not a step: it comes when the record's writes end, outside the pool's
     * steps. Completes once the exit is counted; fails with a flush that failed (the exit stays recorded: its retried
     * release finishes it).
     */
    CompletableFuture<Void> exitRecorded(PendingExits.Exit exit) {
        CompletableFuture<Void> counted;
        boolean queueFlush;
        synchronized (state) {
            counted = state.exitRecorded(exit);
            queueFlush = !flushQueued;
            flushQueued = true;
        }
        if (queueFlush) {
            scheduleFlush(0);
        }
        return counted;
    }

    /**
     * After a lowering: jobs submitted while it was in flight found the old, higher count and queued no scale-up;
     * now that the count is lower they may need one, so it is queued here rather than left to the next reconcile.
     */
    void recheck() {
        count(0, List.of());
    }

    private void scheduleFlush(long backoffMillis) {
        long delayNanos;
        synchronized (state) {
            ScaleUpPacing.Next next = pacing.next(ctx.nanoTime(), lastFlushNanos, gapNanos);
            gapNanos = next.gapNanos();
            delayNanos = next.waitNanos() + TimeUnit.MILLISECONDS.toNanos(backoffMillis);
        }
        if (delayNanos == 0) {
            steps.submit(this::flush);
        } else {
            ctx.threads().timer().schedule(() -> steps.submit(this::flush), delayNanos, TimeUnit.NANOSECONDS);
        }
    }

    /** The merged scale-up and exits' decrement: a step. */
    private CompletableFuture<Void> flush() {
        return state.knownCount().thenCompose(known -> {
            long outstanding;
            synchronized (state) {
                flushQueued = false;
                outstanding = state.outstanding();
                lastFlushNanos = ctx.nanoTime();
            }
            return state.settle(heading -> ScalingPolicy.scaleUp(pool, heading, outstanding).orElse(heading))
                    .thenAccept(settling -> {
                        synchronized (state) {
                            flushFailures = 0;
                        }
                        if (settling.to() > settling.from()) {
                            events.add(Event.scaleUp(ctx.clock().instant(), settling.from(), settling.to(),
                                    Words.count(outstanding, "job") + " outstanding" + (settling.absorbed() == 0 ? ""
                                            : ", " + Words.count(settling.absorbed(), "exiting task") + " replaced")));
                        } else if (settling.to() < settling.from()) {
                            recheck();
                        }
                    });
        }).exceptionally(e -> {
            int failures;
            boolean led = !(Futures.cause(e) instanceof NotLeaderException);
            synchronized (state) {
                failures = ++flushFailures;
                // A replica that no longer leads drops its scale-up: the leader scales from the queue it reads.
                flushQueued = led;
            }
            state.failed("scale-up", Futures.cause(e));
            if (!led) {
                // No flush follows: the exits pending fail (each stays recorded, and its retried release finishes it).
                state.exitsFailed(Futures.cause(e));
                return null;
            }
            scheduleFlush(ControlContext.SCALE_UP_RETRIES.delayMillis(failures, ctx.threads().jitter()));
            return null;
        });
    }
}
