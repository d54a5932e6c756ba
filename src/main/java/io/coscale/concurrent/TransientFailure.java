package io.coscale.concurrent;

/** A failure that says whether trying again may succeed: what {@link Backoff} retries. */
public interface TransientFailure {

    /** Whether the same call, made again, may succeed (throttling, a 5xx, a timeout). */
    boolean isTransient();
}
