package io.coscale.local.ecs;

import io.coscale.aws.EcsGateway;
import io.coscale.local.ecs.EcsState.Task;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Counts a task once, when it reaches STOPPED, from its {@link Task#stopCause}. All stop counting lives here,
 * so that whichever path stops a task (scale-in, deployment, StopTask, its own exit, an injected death) the
 * sums of {@link EmulatorStats} hold:
 * <ul>
 * <li>{@code tasksStopped = tasksStoppedByScaleIn + tasksStoppedByDeployment + tasksStoppedByStopTask
 *     + tasksExited + taskDeaths};</li>
 * <li>{@code tasksStarted = tasksStopped - tasksStoppedBeforeStart + started tasks not STOPPED} (a task that
 *     never reached RUNNING has no {@code startedAt});</li>
 * <li>the busy counters follow {@link Task#busyAtStopSignal}: a task that got its stop signal while holding a
 *     message was stopped busy, even if it then gave the message back before its kill;</li>
 * <li>a task stopped with coscale's exit record counts in {@code exitRecordsStopped} too, whatever the cause;</li>
 * <li>messages still held at STOPPED are {@code jobsInterrupted}: SQS redelivers them after their visibility
 *     timeout.</li>
 * </ul>
 */
final class StopAccounting {

    private StopAccounting() {
    }

    /** Records whether the task is busy now, as it is told to stop; a workload already gone holds nothing live. */
    static void stopSignal(Task task) {
        task.busyAtStopSignal = task.process != null && task.exitedAt == null && task.messagesHeld > 0;
    }

    /** Counts a task that has just become STOPPED. Called exactly once per task. */
    static void stopped(Task task, EmulatorStats stats) {
        stats.tasksStopped.incrementAndGet();
        if (task.startedAt == null) {
            stats.tasksStoppedBeforeStart.incrementAndGet();
        }
        StopCause cause = task.stopCause == null ? StopCause.EXITED : task.stopCause;
        boolean busy = task.busyAtStopSignal;
        switch (cause) {
            case SCALE_IN -> count(stats, stats.tasksStoppedByScaleIn, busy);
            case DEPLOYMENT -> count(stats, stats.tasksStoppedByDeployment, busy);
            case STOP_TASK -> {
                stats.tasksStoppedByStopTask.incrementAndGet();
                if (busy) {
                    stats.tasksStoppedByStopTaskWhileBusy.incrementAndGet();
                }
            }
            case EXITED -> stats.tasksExited.incrementAndGet();
            case DEATH -> {
                stats.taskDeaths.incrementAndGet();
                if (busy) {
                    stats.taskDeathsWhileBusy.incrementAndGet();
                }
            }
        }
        if (task.tags.containsKey(EcsGateway.EXIT_TAG)) {
            stats.exitRecordsStopped.incrementAndGet();
        }
        if (task.messagesHeld > 0) {
            stats.jobsInterrupted.addAndGet(task.messagesHeld);
            task.messagesHeld = 0;
        }
    }

    /** Scale-in and deployment victims share the busy counter: both break the same promise. */
    private static void count(EmulatorStats stats, AtomicLong byCause, boolean busy) {
        byCause.incrementAndGet();
        if (busy) {
            stats.tasksStoppedWhileBusy.incrementAndGet();
        }
    }
}
