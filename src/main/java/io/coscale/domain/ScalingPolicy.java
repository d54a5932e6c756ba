package io.coscale.domain;

import java.util.OptionalInt;

/**
 * The scale-up rule (docs/ARCHITECTURE.md, "The path of a job"), as pure functions: how many tasks a pool needs for the messages it has.
 *
 * <p>{@code outstanding} counts visible plus in-flight messages as far as busy tasks can hold them
 * ({@link QueueDepth#outstanding(long)}), so idle warm tasks are used before new tasks are asked for: 3 busy
 * tasks, 1 idle task and 1 new message give a target of 4, not 5; and a failed job waiting out its visibility
 * timeout, held by nobody, asks for no task.
 */
public final class ScalingPolicy {

    private ScalingPolicy() {
    }

    /**
     * The number of tasks the pool should have for {@code outstanding} messages:
     * {@code clamp(minTasks, maxTasks, ceil(outstanding / messagesPerTask))}.
     *
     * <p>Total and overflow-free for any {@code outstanding >= 0}, up to {@link Long#MAX_VALUE}; a negative
     * count (a caller's arithmetic gone wrong) is treated as 0. The result is always within the pool's bounds.
     */
    public static int target(Pool pool, long outstanding) {
        long n = Math.max(0, outstanding);
        // ceil without (n + per - 1), which would overflow near Long.MAX_VALUE
        long tasks = n / pool.messagesPerTask() + (n % pool.messagesPerTask() == 0 ? 0 : 1);
        return (int) Math.max(pool.minTasks(), Math.min(pool.maxTasks(), tasks));
    }

    /**
     * The new {@code desiredCount} to set after a submission, or empty if the pool already has enough.
     *
     * <p>Only ever raises: a result is present exactly when {@code target(pool, outstanding) > currentDesired},
     * and then it is that target. Lowering is left to releases and the reconciler, because a submission does
     * not know which tasks are busy. If {@code currentDesired} is above {@code maxTasks} the result is empty;
     * the reconciler corrects that case.
     */
    public static OptionalInt scaleUp(Pool pool, int currentDesired, long outstanding) {
        int target = target(pool, outstanding);
        return target > currentDesired ? OptionalInt.of(target) : OptionalInt.empty();
    }
}
