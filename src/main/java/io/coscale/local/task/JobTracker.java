package io.coscale.local.task;

/**
 * What a task tells the emulator about the SQS messages it holds, so that the emulator knows whether a task
 * it stops is busy ({@code tasksStoppedWhileBusy}) and can count every message's fate. Busy means holding a
 * received message: from the ReceiveMessage that returned it until its DeleteMessage or visibility change
 * (docs/API.md, "Guarantees"), not from the claim. A task may hold several messages at once; each event is about one.
 * <p>
 * Invariant the emulator keeps: {@code jobsReceived = jobsCompleted + jobsFailed + jobsReturned +
 * jobsInterrupted + messages held now}. An event with nothing held (a late or repeated one) changes no count
 * of held messages. In-JVM workers call this directly; OS-process workers POST {@code {"event": "received" |
 * "deleted" | "failed" | "returned"}} to {@code $ECS_CONTAINER_METADATA_URI_V4/jobs}.
 */
public interface JobTracker {

    /** A ReceiveMessage returned a message to the task: it holds one more, and is busy. Call before the claim. */
    void received();

    /** The job succeeded and its message was deleted: the task holds one message fewer. */
    void deleted();

    /** The job failed; its message is left to SQS's redrive policy: the task holds one message fewer. */
    void failed();

    /** The task gave the message back (visibility 0), e.g. on its stop signal: it holds one message fewer. */
    void returned();

    /** A tracker that records nothing. */
    JobTracker NONE = new JobTracker() {
        @Override
        public void received() {
        }

        @Override
        public void deleted() {
        }

        @Override
        public void failed() {
        }

        @Override
        public void returned() {
        }
    };
}
