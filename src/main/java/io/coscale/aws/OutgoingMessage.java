package io.coscale.aws;

import java.util.Map;
import java.util.Optional;

/**
 * A job as it goes onto SQS: the body, the user's message attributes, a delay, and for FIFO queues a
 * deduplication id. {@code jobId} becomes the {@code coscale-job-id} attribute.
 */
public record OutgoingMessage(String jobId, String body, Map<String, String> attributes, int delaySeconds,
        Optional<String> deduplicationId) {

    public static final String JOB_ID_ATTRIBUTE = "coscale-job-id";

    public OutgoingMessage {
        attributes = Map.copyOf(attributes);
    }
}
