package io.coscale.local.task;

/**
 * What a task tells the emulator about the job it holds. The emulator needs it to count jobs and to know
 * whether a task it stops is busy ({@code tasksStoppedWhileBusy}, {@code jobsInterrupted}).
 * In-JVM workers call it directly; OS-process workers POST to {@code $ECS_CONTAINER_METADATA_URI_V4/jobs}.
 */
public interface JobTracker {

    /** The task took a job and is now busy. */
    void jobStarted();

    /** The task finished its job successfully and is idle again. */
    void jobCompleted();

    /** The task's job failed (the message stays on the queue) and the task is idle again. */
    void jobFailed();

    /** A tracker that records nothing. */
    JobTracker NONE = new JobTracker() {
        @Override
        public void jobStarted() {
        }

        @Override
        public void jobCompleted() {
        }

        @Override
        public void jobFailed() {
        }
    };
}
