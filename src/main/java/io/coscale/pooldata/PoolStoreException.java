package io.coscale.pooldata;

/** The pool store did not answer or refused a call; nothing is known to have been written. */
public class PoolStoreException extends RuntimeException {

    public PoolStoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
