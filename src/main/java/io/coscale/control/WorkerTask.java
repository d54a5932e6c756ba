package io.coscale.control;

import io.coscale.aws.TaskState;

/**
 * A worker's task, resolved ({@link TaskResolver}): the pool it belongs to and the task as ECS reports it. A value:
 * {@link Workers} hands the claim or release to the pool.
 */
public record WorkerTask(PoolController pool, TaskState task) {

    /** The pool's name. */
    public String poolName() {
        return pool.pool().name();
    }
}
