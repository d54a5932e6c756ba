package io.coscale.control.status;

import io.coscale.control.PoolStatus;
import java.time.Instant;

/**
 * One point of a pool's charts: its figures at {@code at}, as status showed them then.
 *
 * @param deadLetter the jobs in the dead-letter queue; null when the pool has none (or it could not be read)
 */
public record Sample(Instant at, Integer desired, Integer running, Integer pending, int busy, int protectedTasks,
        long visible, long inFlight, long delayed, Long deadLetter) {

    static Sample of(Instant at, PoolStatus status) {
        return new Sample(at, status.desiredCount(), status.runningCount(), status.pendingCount(), status.busyTasks(),
                status.protectedTasks(), status.queue().visible(), status.queue().inFlight(), status.queue().delayed(),
                status.deadLetter() == null ? null : status.deadLetter().visible());
    }
}
