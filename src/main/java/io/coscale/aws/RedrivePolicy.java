package io.coscale.aws;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.util.Optional;

/**
 * Where a queue's failed messages go, from its {@code RedrivePolicy} attribute
 * ({@code {"deadLetterTargetArn": "arn:aws:sqs:eu-west-1:123456789012:jobs-dlq", "maxReceiveCount": 3}}). Pure, so
 * the parsing has its own table test apart from the SQS call.
 */
public final class RedrivePolicy {

    private static final ObjectMapper JSON = new ObjectMapper();

    private RedrivePolicy() {
    }

    /**
     * The URL of the dead-letter queue a redrive policy names, or empty when there is no policy (null or blank) or it
     * names no target that can be read.
     *
     * @param queueUrl the URL of the queue the policy belongs to
     * @param policy the queue's {@code RedrivePolicy} attribute, as SQS returns it
     */
    public static Optional<String> deadLetterQueueUrl(String queueUrl, String policy) {
        if (policy == null || policy.isBlank()) {
            return Optional.empty();
        }
        try {
            JsonNode target = JSON.readTree(policy).path("deadLetterTargetArn");
            return target.isTextual() ? queueUrlOf(queueUrl, target.asText()) : Optional.empty();
        } catch (JsonProcessingException e) {
            return Optional.empty();
        }
    }

    /**
     * The URL of the queue {@code arn} names, on the same endpoint as {@code sameEndpointQueueUrl}: SQS keeps a
     * dead-letter queue in its source queue's account and Region, so the source's scheme, host and port are the
     * dead-letter queue's too, and no GetQueueUrl call is needed. Works for SQS's and ElasticMQ's URL forms
     * ({@code https://sqs.<region>.amazonaws.com/<account>/<name>}, {@code http://127.0.0.1:9324/<account>/<name>}).
     *
     * @param arn {@code arn:<partition>:sqs:<region>:<account>:<name>}
     * @return empty when {@code arn} is not an SQS queue ARN
     */
    static Optional<String> queueUrlOf(String sameEndpointQueueUrl, String arn) {
        String[] parts = arn.split(":", -1);
        if (parts.length != 6 || !parts[0].equals("arn") || !parts[2].equals("sqs") || parts[4].isEmpty()
                || parts[5].isEmpty()) {
            return Optional.empty();
        }
        URI source = URI.create(sameEndpointQueueUrl);
        String port = source.getPort() < 0 ? "" : ":" + source.getPort();
        return Optional.of(source.getScheme() + "://" + source.getHost() + port + "/" + parts[4] + "/" + parts[5]);
    }
}
