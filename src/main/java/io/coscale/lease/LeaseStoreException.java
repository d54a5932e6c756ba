package io.coscale.lease;

/** The lease store did not answer (unreachable, throttled, timed out): a write's outcome is unknown. */
public class LeaseStoreException extends RuntimeException {

    public LeaseStoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
