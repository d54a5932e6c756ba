package io.coscale.concurrent;

/**
 * A failure that says whether trying again may succeed (what {@link Backoff} retries), and whether the call may have
 * been acted on although it failed (what {@link Attempts} folds over a retried call's attempts).
 */
public interface TransientFailure {

    /** Whether the same call, made again, may succeed (throttling, a 5xx, a timeout). */
    boolean isTransient();

    /**
     * Whether the service may have acted on the call although it failed: it had the request (a 5xx, a timeout, a
     * connection cut while the answer was awaited). False when it surely did not (refused, throttled, never reached).
     */
    boolean maybeApplied();

    /**
     * This failure as the failure of a call an earlier attempt of which may have been acted on: maybe applied, whatever
     * this attempt met; itself when it says so already.
     */
    RuntimeException maybeAppliedEarlier();
}
