package io.coscale.local.task;

/** A worker program that runs as a thread of this JVM, one thread per task. */
@FunctionalInterface
public interface InJvmWorker {

    /**
     * Runs the task's workload until it is done or the thread is interrupted (the task's stop signal).
     *
     * @return the container's exit code: 0 for a clean exit
     */
    int run(TaskLaunch launch) throws Exception;
}
