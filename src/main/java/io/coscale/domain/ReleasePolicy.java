package io.coscale.domain;

import java.util.Objects;

/**
 * The release rule (docs/API.md, "Release"), pure: given what coscale knows when a worker reports an empty poll,
 * should that worker keep polling, stay as warm capacity, or exit while the count drops by one?
 *
 * <p>The caller must run it serialized per pool (one decision at a time against the latest
 * {@code desiredCount}); otherwise two releases could both read 4 and both answer "exit: 3".
 */
public final class ReleasePolicy {

    private ReleasePolicy() {
    }

    /**
     * Decides one release. Rules, first match wins:
     * <ol>
     *   <li>{@code continue}, count unchanged, if {@code depth.visible() > 0} or
     *       {@code submittedSinceObservation > 0}: the worker's empty poll is stale news and it is the
     *       cheapest capacity to give the work to;</li>
     *   <li>{@code stay}, count unchanged, if {@code desiredCount <= minTasks}: the pool is at its floor — unless, in
     *       {@code protect} mode, ECS runs more tasks than the count (the reconciler lowered an idle pool's count while
     *       its tasks kept their protection, e.g. while their workers could not reach coscale): then {@code exit}
     *       without lowering, since the count was lowered for this task already and ECS, bound by the protection,
     *       would otherwise keep it forever;</li>
     *   <li>{@code exit} with {@code min(desiredCount, maxTasks) - 1}, moved into {@code [minTasks, maxTasks]}:
     *       exactly one less while the count is within bounds. Above {@code maxTasks} (lowered since the count
     *       was set) the count is brought within bounds at once, because coscale never sets a count above
     *       {@code maxTasks}, and "one less" would be such a count.</li>
     * </ol>
     * An exit's count is thus always within {@code [minTasks, maxTasks]} and below {@code desiredCount}.
     * In-flight and delayed messages do not keep a worker: in-flight ones belong to busy tasks, and delayed
     * ones raise the count again through the reconciler when they become visible.
     *
     * @param desiredCount the service's current {@code desiredCount}, {@code >= 0}
     * @param submittedSinceObservation jobs coscale enqueued after {@code depth} was observed, {@code >= 0}
     * @return the decision; its {@code desiredCount} is what the count must be once it is carried out
     * @throws IllegalArgumentException if a count is negative
     */
    public static ReleaseDecision decide(Pool pool, int desiredCount, QueueDepth depth, long submittedSinceObservation) {
        return decide(pool, desiredCount, depth, submittedSinceObservation, false);
    }

    /**
     * Decides one release of a task that may belong to an older deployment. Such a task exits without lowering
     * the count, even when work is waiting: ECS replaces it with a task of the service's PRIMARY deployment,
     * which takes the work. Otherwise as {@link #decide(Pool, int, QueueDepth, long)}.
     *
     * @param olderDeployment another deployment than the service's PRIMARY one started the task
     */
    public static ReleaseDecision decide(Pool pool, int desiredCount, QueueDepth depth, long submittedSinceObservation,
            boolean olderDeployment) {
        return decide(pool, desiredCount, depth, submittedSinceObservation, olderDeployment, 0);
    }

    /**
     * As {@link #decide(Pool, int, QueueDepth, long, boolean)}, knowing how many tasks ECS last said were running.
     *
     * @param runningTasks the service's {@code runningCount} as last read from ECS (0 when never read)
     */
    public static ReleaseDecision decide(Pool pool, int desiredCount, QueueDepth depth, long submittedSinceObservation,
            boolean olderDeployment, int runningTasks) {
        Objects.requireNonNull(pool, "pool");
        Objects.requireNonNull(depth, "depth");
        if (desiredCount < 0 || submittedSinceObservation < 0) {
            throw new IllegalArgumentException("counts must be >= 0, got desiredCount=" + desiredCount
                    + " submittedSinceObservation=" + submittedSinceObservation);
        }
        if (olderDeployment) {
            return ReleaseDecision.drain(desiredCount, "task of an older deployment: ECS replaces it, the count stays "
                    + desiredCount);
        }
        if (depth.visible() > 0) {
            return ReleaseDecision.continueWorking(desiredCount,
                    "queue has " + Words.count(depth.visible(), "visible message"));
        }
        if (submittedSinceObservation > 0) {
            return ReleaseDecision.continueWorking(desiredCount,
                    Words.count(submittedSinceObservation, "job") + " submitted since the last observation");
        }
        if (desiredCount <= pool.minTasks()) {
            if (pool.mode() == Mode.PROTECT && runningTasks > desiredCount) {
                return ReleaseDecision.drain(desiredCount, "queue empty, " + Words.count(runningTasks, "task")
                        + " running for a count of " + desiredCount + ": this one exits, the count stays");
            }
            return ReleaseDecision.stay(desiredCount, "at minTasks " + pool.minTasks());
        }
        if (desiredCount > pool.maxTasks()) {
            // desiredCount > maxTasks >= minTasks, so the result is still below desiredCount: an exit lowers it.
            int to = pool.clamp(pool.maxTasks() - 1);
            return ReleaseDecision.exit(to,
                    "queue empty: " + desiredCount + " → " + to + " (maxTasks " + pool.maxTasks() + ")");
        }
        return ReleaseDecision.exit(desiredCount - 1, "queue empty: " + desiredCount + " → " + (desiredCount - 1));
    }
}
