package io.coscale.control;

import io.coscale.aws.TaskState;
import io.coscale.domain.Arns;
import io.coscale.domain.TaskStop;
import java.time.Instant;
import java.util.Optional;

/**
 * Tells a task that stopped for another reason (Spot interruption, host retirement, out-of-memory kill, a crash, an
 * operator's StopTask) from one coscale let exit. Pure.
 *
 * <p>Invariant: a task coscale let exit is never reported. coscale tags a task with its exit record before it lowers
 * the count for it, and remembers the exits it decided ({@code letExit}); ECS may then show that task's stop as
 * {@code ServiceSchedulerInitiated} or {@code EssentialContainerExited}, and it is still not another stop. A task
 * ECS does not know (never seen, or forgotten an hour after it stopped) is not reported either: nothing says why.
 */
final class OtherStops {

    private OtherStops() {
    }

    /**
     * The task's stop, if it stopped (or is stopping) for a reason other than coscale's exit.
     *
     * @param letExit whether coscale let this task exit (or is letting it exit now)
     * @param now when ECS gives no time for the stop
     */
    static Optional<TaskStop> of(TaskState task, boolean letExit, Instant now) {
        if (task.missing() || task.isLive() || letExit || task.exitRecord() != null) {
            return Optional.empty();
        }
        Instant at = task.stoppedAt() != null ? task.stoppedAt() : task.stoppingAt() != null ? task.stoppingAt() : now;
        return Optional.of(new TaskStop(task.taskArn(), task.stopCode(), task.stoppedReason(), at));
    }

    /** The event's sentence: which task, the stopCode, and ECS's reason. */
    static String describe(TaskStop stop) {
        return "task " + Arns.lastSegment(stop.taskArn()) + " stopped by ECS: " + stop.stopCode()
                + (stop.reason().isEmpty() ? "" : " (" + stop.reason() + ")");
    }
}
