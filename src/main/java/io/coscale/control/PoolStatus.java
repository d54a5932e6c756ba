package io.coscale.control;

import io.coscale.domain.TaskStop;
import java.time.Instant;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What {@code GET /v1/pools/{pool}} shows of a pool: its settings, ECS's and SQS's word, coscale's own view.
 *
 * <p>ECS's figures ({@code runningCount}, {@code pendingCount}) were read at {@code ecsObservedAt}, SQS's at
 * {@code queue.observedAt} and {@code deadLetter.observedAt}; a status read refreshes any older than 2 s. An
 * {@code observedAt} further back (or null: never read) means the read failed and these are the last figures known.
 * {@code desiredCount} is coscale's own: it is the only writer of the count, and a change it made wins over an ECS
 * read that does not show it yet. {@code busyTasks} and {@code protectedTasks} are coscale's own as well, always
 * current.
 *
 * @param deadLetter the dead-letter queue the queue's redrive policy names; null when the queue has none
 * @param leader the replica that leads (writes ECS for every pool) and the lease's epoch, as the answering replica
 *        knows them; null when not known
 * @param stoppedTasks the pool's tasks ECS stopped without coscale letting them exit (Spot interruption, host
 *        retirement, out-of-memory kill, crash) within the last hour, counted by ECS stopCode; empty when none
 * @param recentStops the last five of those, newest first
 */
public record PoolStatus(String name, String cluster, String service, String queueUrl, String mode, int minTasks,
        int maxTasks, int messagesPerTask, Integer desiredCount, Integer runningCount, Integer pendingCount,
        Instant ecsObservedAt, Queue queue, DeadLetter deadLetter, int busyTasks, int protectedTasks,
        Instant lastReconcileAt, String lastError, Leader leader, Map<String, Integer> stoppedTasks,
        List<TaskStop> recentStops) {

    public PoolStatus {
        stoppedTasks = stoppedTasks == null ? Map.of() : Collections.unmodifiableMap(new TreeMap<>(stoppedTasks));
        recentStops = recentStops == null ? List.of() : List.copyOf(recentStops);
    }

    /** The status with no task stopped for another reason. */
    public PoolStatus(String name, String cluster, String service, String queueUrl, String mode, int minTasks,
            int maxTasks, int messagesPerTask, Integer desiredCount, Integer runningCount, Integer pendingCount,
            Instant ecsObservedAt, Queue queue, DeadLetter deadLetter, int busyTasks, int protectedTasks,
            Instant lastReconcileAt, String lastError, Leader leader) {
        this(name, cluster, service, queueUrl, mode, minTasks, maxTasks, messagesPerTask, desiredCount, runningCount,
                pendingCount, ecsObservedAt, queue, deadLetter, busyTasks, protectedTasks, lastReconcileAt, lastError,
                leader, Map.of(), List.of());
    }

    /** The status without the leader: a controller's own view. */
    public PoolStatus(String name, String cluster, String service, String queueUrl, String mode, int minTasks,
            int maxTasks, int messagesPerTask, Integer desiredCount, Integer runningCount, Integer pendingCount,
            Instant ecsObservedAt, Queue queue, DeadLetter deadLetter, int busyTasks, int protectedTasks,
            Instant lastReconcileAt, String lastError) {
        this(name, cluster, service, queueUrl, mode, minTasks, maxTasks, messagesPerTask, desiredCount, runningCount,
                pendingCount, ecsObservedAt, queue, deadLetter, busyTasks, protectedTasks, lastReconcileAt, lastError,
                null);
    }

    /** The leading replica's id and the lease's epoch (its fencing token). */
    public record Leader(String id, long epoch) {
    }

    /** The controller's own copy, from its last reconcile: observed figures get their time from the status read. */
    public PoolStatus(String name, String cluster, String service, String queueUrl, String mode, int minTasks,
            int maxTasks, int messagesPerTask, Integer desiredCount, Integer runningCount, Integer pendingCount,
            Queue queue, int busyTasks, int protectedTasks, Instant lastReconcileAt, String lastError) {
        this(name, cluster, service, queueUrl, mode, minTasks, maxTasks, messagesPerTask, desiredCount, runningCount,
                pendingCount, null, queue, null, busyTasks, protectedTasks, lastReconcileAt, lastError);
    }

    /** The queue's approximate counts, read at {@code observedAt}. */
    public record Queue(long visible, long inFlight, long delayed, Instant observedAt) {

        /** Counts whose time of reading is not known here. */
        public Queue(long visible, long inFlight, long delayed) {
            this(visible, inFlight, delayed, null);
        }
    }

    /**
     * The pool's dead-letter queue: where SQS moves a job that failed {@code maxReceiveCount} times.
     *
     * @param visible the jobs waiting in it ({@code ApproximateNumberOfMessages}), read at {@code observedAt}; null
     *        when the dead-letter queue could not be read (the pool's own queue could)
     */
    public record DeadLetter(String queueUrl, Long visible, Instant observedAt) {
    }
}
