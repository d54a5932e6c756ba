package io.coscale.control;

import java.time.Instant;

/** What {@code GET /v1/pools/{pool}} shows of a pool: its settings, ECS's and SQS's last word, coscale's own view. */
public record PoolStatus(String name, String cluster, String service, String queueUrl, String mode, int minTasks,
        int maxTasks, int messagesPerTask, Integer desiredCount, Integer runningCount, Integer pendingCount,
        Queue queue, int busyTasks, int protectedTasks, Instant lastReconcileAt, String lastError) {

    /** The queue's approximate counts at the last observation. */
    public record Queue(long visible, long inFlight, long delayed) {
    }
}
