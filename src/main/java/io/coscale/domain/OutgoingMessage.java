package io.coscale.domain;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * A job as it goes onto SQS: the body, the user's message attributes, a delay, and for FIFO queues a
 * deduplication id and a message group (default: the job's own, so jobs of a FIFO pool are worked in parallel
 * unless the submitter groups them). {@code jobId} becomes the {@code coscale-job-id} attribute.
 */
public record OutgoingMessage(String jobId, String body, Map<String, String> attributes, int delaySeconds,
        Optional<String> deduplicationId, Optional<String> messageGroupId) {

    /** A job in no message group of its own choosing. */
    public OutgoingMessage(String jobId, String body, Map<String, String> attributes, int delaySeconds,
            Optional<String> deduplicationId) {
        this(jobId, body, attributes, delaySeconds, deduplicationId, Optional.empty());
    }

    public static final String JOB_ID_ATTRIBUTE = "coscale-job-id";

    public OutgoingMessage {
        attributes = Map.copyOf(attributes);
    }

    /** Every attribute the message carries on SQS: the user's, and {@link #JOB_ID_ATTRIBUTE}. */
    public Map<String, String> sqsAttributes() {
        Map<String, String> all = new HashMap<>(attributes);
        all.put(JOB_ID_ATTRIBUTE, jobId);
        return all;
    }

    /**
     * The message group on a FIFO queue: the submitter's, else the job's own. A single group would let a FIFO pool of
     * any size work one job at a time.
     */
    public String fifoGroupId() {
        return messageGroupId.orElse(jobId);
    }

    /** The deduplication id on a FIFO queue: the submitter's, else the job id. */
    public String fifoDeduplicationId() {
        return deduplicationId.orElse(jobId);
    }

    /** This job under another id (a keyed submission sends with the ids its key was first reserved with). */
    public OutgoingMessage withJobId(String id) {
        return new OutgoingMessage(id, body, attributes, delaySeconds, deduplicationId, messageGroupId);
    }

    /** This job with a FIFO deduplication id, unless it has one. */
    public OutgoingMessage withDefaultDeduplicationId(String id) {
        return deduplicationId.isPresent() ? this
                : new OutgoingMessage(jobId, body, attributes, delaySeconds, Optional.of(id), messageGroupId);
    }
}
