package io.coscale.control;

/**
 * A job that was never handed to SQS and never will be: it was withdrawn before its turn, or refused because the
 * send queue was full. Retrying it cannot make a duplicate.
 */
public final class NotEnqueuedException extends RuntimeException {

    public NotEnqueuedException(String message) {
        super(message, null, false, false);
    }
}
