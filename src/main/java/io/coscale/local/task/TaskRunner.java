package io.coscale.local.task;

/**
 * The seam between the ECS emulator and what a task runs: an OS process ({@link ProcessTaskRunner}) or a
 * thread in this JVM ({@link ThreadTaskRunner}).
 */
public interface TaskRunner {

    /**
     * Starts the workload of a task that just became RUNNING and returns at once.
     *
     * @param onExit called exactly once, from any thread, when the workload ends
     */
    TaskProcess start(TaskLaunch launch, TaskProcess.ExitListener onExit);
}
