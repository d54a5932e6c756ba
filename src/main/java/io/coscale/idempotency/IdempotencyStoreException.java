package io.coscale.idempotency;

/** The idempotency store could not be asked (unreachable, throttled, timed out, full): a write's outcome is unknown. */
public class IdempotencyStoreException extends RuntimeException {

    public IdempotencyStoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
