package io.coscale.aws;

/** What SQS said of one message of a batch: accepted, or refused with its error code and message. */
public record SendOutcome(String jobId, boolean accepted, boolean transientFailure, String errorCode, String message) {

    static SendOutcome accepted(String jobId) {
        return new SendOutcome(jobId, true, false, null, null);
    }

    static SendOutcome refused(String jobId, boolean transientFailure, String errorCode, String message) {
        return new SendOutcome(jobId, false, transientFailure, errorCode, message);
    }
}
