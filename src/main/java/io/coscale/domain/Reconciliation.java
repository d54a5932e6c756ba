package io.coscale.domain;

import java.time.Duration;
import java.util.Objects;

/**
 * The reconcile rule (docs/ARCHITECTURE.md, "The reconciler"), pure and level-based: from one observation of a pool's service and queue,
 * compute the {@code desiredCount} it should have and return the difference as a {@link ReconcileAction}.
 * It knows nothing of history except {@code queueEmptyFor}, so it can run at start-up, after a crash, or
 * every tick, and the same observation always gives the same answer.
 *
 * <p><b>Invariant:</b> for every valid pool and observation, {@code decide(pool, o).applyTo(o.desiredCount())}
 * is within {@code [minTasks, maxTasks]}; and it is a fixed point: deciding again on the same observation
 * with that count gives {@link ReconcileAction#noChange()}. A converged pool costs no ECS call.
 */
public final class Reconciliation {

    /**
     * One look at a pool.
     *
     * @param desiredCount the service's {@code desiredCount}
     * @param runningCount tasks RUNNING; carried for status and events, not used by the rule, which steers
     *     only the count coscale owns and lets ECS converge running toward it
     * @param pendingCount tasks PENDING (e.g. waiting for cluster room); also informational
     * @param depth the queue's counts
     * @param queueEmptyFor how long {@code depth} has been continuously empty, {@link Duration#ZERO} if not
     * @param busyTasks tasks that claimed since their last empty poll: only they can hold in-flight messages
     * @param busyable how many tasks the work can keep busy at most: a FIFO queue's groups with work (see
     *     {@link MessageGroups}); {@link Long#MAX_VALUE} when not limited
     */
    public record Observation(int desiredCount, int runningCount, int pendingCount, QueueDepth depth,
                              Duration queueEmptyFor, int busyTasks, long busyable) {

        /** An observation of a queue whose work is not limited by message groups. */
        public Observation(int desiredCount, int runningCount, int pendingCount, QueueDepth depth,
                Duration queueEmptyFor, int busyTasks) {
            this(desiredCount, runningCount, pendingCount, depth, queueEmptyFor, busyTasks, Long.MAX_VALUE);
        }

        /** An observation in which every in-flight message counts as held by a live task. */
        public Observation(int desiredCount, int runningCount, int pendingCount, QueueDepth depth,
                Duration queueEmptyFor) {
            this(desiredCount, runningCount, pendingCount, depth, queueEmptyFor, Integer.MAX_VALUE);
        }

        /** @throws IllegalArgumentException if a count or the duration is negative */
        public Observation {
            Objects.requireNonNull(depth, "depth");
            Objects.requireNonNull(queueEmptyFor, "queueEmptyFor");
            if (desiredCount < 0 || runningCount < 0 || pendingCount < 0 || busyTasks < 0 || busyable < 0
                    || queueEmptyFor.isNegative()) {
                throw new IllegalArgumentException("observation counts must be >= 0, got desired=" + desiredCount
                        + " running=" + runningCount + " pending=" + pendingCount + " emptyFor=" + queueEmptyFor);
            }
        }
    }

    private Reconciliation() {
    }

    /**
     * Decides one reconcile pass. Rules in order, each applied to the result of the one before, so a single
     * action reaches the fixed point (a count of 12 over maxTasks 8 in an idle {@code protect} pool goes
     * straight to minTasks, not to 8 and then to minTasks a tick later):
     * <ol>
     *   <li>(a) above {@code maxTasks}: down to {@code maxTasks}, in both modes;</li>
     *   <li>(b) below {@code minTasks}: up to {@code minTasks};</li>
     *   <li>(c) below {@code target(outstanding)}: up to the target (jobs sent straight to SQS, increments
     *       lost in a crash), where in-flight messages count only as far as busy tasks can hold them;</li>
     *   <li>(d) {@code protect} only: the queue is empty and has been for at least {@code scaleInIdle}, and
     *       the count is above the target (which is {@code minTasks} for an empty queue): down to the target.
     *       Safe because busy tasks hold protection; the idle wait absorbs SQS's lagging counts.</li>
     * </ol>
     * {@code cooperative} pools are never lowered except by (a): only a releasing worker knows it is idle.
     * Otherwise the result is {@link ReconcileAction#noChange()}.
     */
    public static ReconcileAction decide(Pool pool, Observation o) {
        Objects.requireNonNull(pool, "pool");
        Objects.requireNonNull(o, "observation");
        int current = o.desiredCount();
        long outstanding = Math.min(o.depth().outstanding((long) o.busyTasks() * pool.messagesPerTask()), o.busyable());
        int target = ScalingPolicy.target(pool, outstanding);
        int next = pool.clamp(current); // (a), (b)
        String reason = current > pool.maxTasks()
                ? "desiredCount " + current + " above maxTasks " + pool.maxTasks()
                : "desiredCount " + current + " below minTasks " + pool.minTasks();
        if (next < target) { // (c); target <= maxTasks, so (a) and (c) never both apply
            next = target;
            reason = Words.count(outstanding, "message") + " outstanding but only "
                    + Words.count(current, "task") + " desired";
        } else if (next > target && idleLongEnough(pool, o)) { // (d)
            next = target;
            reason = "queue empty for " + format(o.queueEmptyFor()) + " (scale-in-idle "
                    + format(pool.scaleInIdle()) + "): " + current + " → " + target;
        }
        return next == current ? ReconcileAction.noChange() : ReconcileAction.setDesired(next, reason);
    }

    private static boolean idleLongEnough(Pool pool, Observation o) {
        return pool.mode() == Mode.PROTECT
                && o.depth().isEmpty()
                && o.queueEmptyFor().compareTo(pool.scaleInIdle()) >= 0;
    }

    /** "75s", or "250ms" under a second: short enough for an event line. */
    private static String format(Duration d) {
        return d.compareTo(Duration.ofSeconds(1)) < 0 && !d.isZero() ? d.toMillis() + "ms" : d.toSeconds() + "s";
    }
}
