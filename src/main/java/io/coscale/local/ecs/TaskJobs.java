package io.coscale.local.ecs;

import io.coscale.local.ecs.EcsState.Task;
import io.coscale.local.task.JobTracker;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One task's {@link JobTracker}: counts the messages it holds in {@link Task#messagesHeld} and each message's
 * fate in {@link EmulatorStats}. Keeps {@code jobsReceived = jobsCompleted + jobsFailed + jobsReturned +
 * jobsInterrupted + messages held now} by two rules: a fate is counted only for a message held (a repeated or
 * stray event changes nothing), and a STOPPED task reports nothing (its held messages were already counted as
 * interrupted; a SIGKILLed container cannot act, though an abandoned in-JVM thread might still try).
 */
final class TaskJobs implements JobTracker {

    private final Task task;
    private final EmulatorStats stats;
    private final Object lock;

    TaskJobs(Task task, EmulatorStats stats, Object lock) {
        this.task = task;
        this.stats = stats;
        this.lock = lock;
    }

    /**
     * Applies a job event posted by an OS-process worker. The old names {@code started} and {@code completed}
     * mean {@code received} and {@code deleted}.
     *
     * @throws EcsApiException for any other event
     */
    void event(String event) {
        switch (event) {
            case "received", "started" -> received();
            case "deleted", "completed" -> deleted();
            case "failed" -> failed();
            case "returned" -> returned();
            default -> throw EcsApiException.invalidParameter(
                    "event must be received, deleted, failed or returned (or started, completed), not '" + event + "'");
        }
    }

    @Override
    public void received() {
        synchronized (lock) {
            if (stopped()) {
                return;
            }
            task.messagesHeld++;
            Instant now = Instant.now();
            stats.received(now);
            if (!task.isProtected(now)) {
                stats.jobsReceivedUnprotected.incrementAndGet();
            }
        }
    }

    @Override
    public void deleted() {
        letGo(stats.jobsCompleted);
    }

    @Override
    public void failed() {
        letGo(stats.jobsFailed);
    }

    @Override
    public void returned() {
        letGo(stats.jobsReturned);
    }

    private void letGo(AtomicLong fate) {
        synchronized (lock) {
            if (stopped() || task.messagesHeld == 0) {
                return;
            }
            task.messagesHeld--;
            fate.incrementAndGet();
        }
    }

    private boolean stopped() {
        return task.lastStatus.equals("STOPPED");
    }
}
