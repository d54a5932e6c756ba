package io.coscale.domain;

import java.util.ArrayList;
import java.util.List;

/**
 * What SQS said of one message of a batch: accepted, or refused with its error code and message. {@code
 * maybeEnqueued}: the call failed after SQS had it (a 5xx, a timeout, a cut connection), so the message may be in the
 * queue after all; false for an entry SQS listed as failed, or a call that never reached it.
 */
public record SendOutcome(String jobId, boolean accepted, boolean transientFailure, String errorCode, String message,
        boolean maybeEnqueued) {

    public static SendOutcome accepted(String jobId) {
        return new SendOutcome(jobId, true, false, null, null, false);
    }

    public static SendOutcome refused(String jobId, boolean transientFailure, String errorCode, String message) {
        return new SendOutcome(jobId, false, transientFailure, errorCode, message, false);
    }


    /**
     * The outcomes of a batch's messages in order, from those SQS answered for by entry index; a message SQS did not
     * mention failed (transient: it may try again).
     */
    public static List<SendOutcome> inOrder(List<OutgoingMessage> batch, SendOutcome[] byIndex) {
        List<SendOutcome> outcomes = new ArrayList<>(batch.size());
        for (int i = 0; i < batch.size(); i++) {
            outcomes.add(byIndex[i] != null ? byIndex[i]
                    : refused(batch.get(i).jobId(), true, "NoAnswer", "SQS gave no outcome for this entry"));
        }
        return outcomes;
    }

    /** The error code of a message that was never handed to SQS (withdrawn before its turn): retrying is safe. */
    public static final String NOT_SENT = "NotEnqueued";

    /** A message coscale never handed to SQS, and never will. */
    public static SendOutcome notSent(String jobId, String why) {
        return new SendOutcome(jobId, false, true, NOT_SENT, why, false);
    }

    /** Whether the message was never handed to SQS (see {@link #notSent}). */
    public boolean neverSent() {
        return !accepted && NOT_SENT.equals(errorCode);
    }
}
