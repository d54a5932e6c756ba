package io.coscale.control;

import io.coscale.aws.TaskState;
import io.coscale.domain.ReleaseDecision;
import java.util.concurrent.CompletableFuture;

/**
 * A worker's task, resolved: the pool it belongs to and the task as ECS reports it. What a worker asks of coscale
 * (claim, release) goes through it.
 */
public record WorkerTask(PoolController pool, TaskState task) {

    /** The pool's name. */
    public String poolName() {
        return pool.pool().name();
    }

    /** The task claims: see {@link PoolController#claim(String, String)}. */
    public CompletableFuture<ClaimResult> claim() {
        return pool.claim(task.taskArn(), task.startedBy());
    }

    /** The task found its queue empty: see {@link PoolController#release(TaskState)}. */
    public CompletableFuture<ReleaseDecision> release() {
        return pool.release(task);
    }
}
