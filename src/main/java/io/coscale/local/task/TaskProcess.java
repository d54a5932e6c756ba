package io.coscale.local.task;

/** A running task's workload, as its runner controls it. */
public interface TaskProcess {

    /** Asks the workload to stop (SIGTERM for a process, an interrupt for a thread); returns at once. */
    void signalStop();

    /** Ends the workload now (SIGKILL); the exit listener then sees exit code 137. */
    void kill();

    /** Called exactly once when the workload has ended, by itself or by a stop or kill. */
    @FunctionalInterface
    interface ExitListener {
        void exited(int exitCode);
    }
}
