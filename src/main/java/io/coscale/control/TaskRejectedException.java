package io.coscale.control;

/** A claim or release named a task that is not a live task of a managed pool's service: nothing changes. */
public final class TaskRejectedException extends RuntimeException {

    public TaskRejectedException(String message) {
        super(message);
    }
}
