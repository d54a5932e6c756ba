package io.coscale.aws;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.coscale.domain.OutgoingMessage;
import io.coscale.domain.Pool;
import io.coscale.domain.SendOutcome;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The two SQS calls coscale makes on its hot paths, in SQS's JSON protocol ({@code application/x-amz-json-1.0}, the
 * action in {@code X-Amz-Target}): SendMessageBatch for every job and GetQueueAttributes for every reconcile read.
 * Pure: bytes in, bytes or outcomes out; {@link SqsWire} carries them. What goes into a request is what
 * {@link QueueGateway} puts into the SDK's (the {@code coscale-job-id} attribute, delay, FIFO group and
 * deduplication id), and an answer is checked as the SDK checks it: every accepted entry's MD5 of body and attributes
 * must match what was sent.
 */
final class SqsJson {

    static final String CONTENT_TYPE = "application/x-amz-json-1.0";
    static final String TARGET_PREFIX = "AmazonSQS.";

    private static final JsonFactory JSON = new JsonFactory();
    private static final ObjectMapper MAPPER = new ObjectMapper(JSON);
    /**
     * SQS's throttling codes (JSON {@code __type} or the query-compatible code); status 429 throttles whatever the
     * code.
     */
    private static final Set<String> THROTTLING = Set.of("ThrottlingException", "Throttling", "RequestThrottled",
            "AWS.SimpleQueueService.RequestThrottled", "RequestLimitExceeded", "TooManyRequestsException");

    private SqsJson() {
    }

    /** A SendMessageBatch request: entry ids are the messages' indexes, as {@link #sendOutcomes} expects. */
    static byte[] sendMessageBatch(String queueUrl, List<OutgoingMessage> batch) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256 + 192 * batch.size());
        try (JsonGenerator json = JSON.createGenerator(out)) {
            json.writeStartObject();
            json.writeStringField("QueueUrl", queueUrl);
            json.writeArrayFieldStart("Entries");
            boolean fifo = Pool.isFifo(queueUrl);
            for (int i = 0; i < batch.size(); i++) {
                OutgoingMessage message = batch.get(i);
                json.writeStartObject();
                json.writeStringField("Id", Integer.toString(i));
                json.writeStringField("MessageBody", message.body());
                if (message.delaySeconds() > 0) {
                    json.writeNumberField("DelaySeconds", message.delaySeconds());
                }
                json.writeObjectFieldStart("MessageAttributes");
                for (Map.Entry<String, String> a : message.sqsAttributes().entrySet()) {
                    json.writeObjectFieldStart(a.getKey());
                    json.writeStringField("DataType", "String");
                    json.writeStringField("StringValue", a.getValue());
                    json.writeEndObject();
                }
                json.writeEndObject();
                if (fifo) {
                    json.writeStringField("MessageGroupId", message.fifoGroupId());
                    json.writeStringField("MessageDeduplicationId", message.fifoDeduplicationId());
                }
                json.writeEndObject();
            }
            json.writeEndArray();
            json.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /**
     * Each message's outcome from a SendMessageBatch answer (HTTP 200), in order. An entry SQS did not mention failed;
     * an accepted entry whose MD5s do not match what was sent may be on the queue, altered: it is reported as a
     * transient failure that may have enqueued, as the SDK fails such a call.
     */
    static List<SendOutcome> sendOutcomes(List<OutgoingMessage> batch, byte[] answer) {
        JsonNode root = tree(answer);
        SendOutcome[] byIndex = new SendOutcome[batch.size()];
        for (JsonNode ok : root.path("Successful")) {
            int i = index(ok, batch.size());
            OutgoingMessage message = batch.get(i);
            String mismatch = MessageMd5.mismatch(message.body(), message.sqsAttributes(),
                    ok.path("MD5OfMessageBody").asText(null), ok.path("MD5OfMessageAttributes").asText(null));
            byIndex[i] = mismatch == null ? SendOutcome.accepted(message.jobId())
                    : new AwsCallException("SendMessageBatch: " + mismatch, true,
                            false, "ChecksumMismatch", null, true).outcomeOf(message.jobId());
        }
        for (JsonNode failed : root.path("Failed")) {
            int i = index(failed, batch.size());
            byIndex[i] = SendOutcome.refused(batch.get(i).jobId(), !failed.path("SenderFault").asBoolean(false),
                    failed.path("Code").asText("Unknown"), failed.path("Message").asText(""));
        }
        return SendOutcome.inOrder(batch, byIndex);
    }

    private static int index(JsonNode entry, int size) {
        String id = entry.path("Id").asText("");
        try {
            int i = Integer.parseInt(id);
            if (i >= 0 && i < size) {
                return i;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalStateException("SQS answered for an entry coscale did not send: Id '" + id + "'");
    }

    /** A GetQueueAttributes request for the named attributes. */
    static byte[] getQueueAttributes(String queueUrl, List<String> names) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(128);
        try (JsonGenerator json = JSON.createGenerator(out)) {
            json.writeStartObject();
            json.writeStringField("QueueUrl", queueUrl);
            json.writeArrayFieldStart("AttributeNames");
            for (String name : names) {
                json.writeString(name);
            }
            json.writeEndArray();
            json.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** The attributes of a GetQueueAttributes answer (HTTP 200). */
    static Map<String, String> attributes(byte[] answer) {
        Map<String, String> attributes = new HashMap<>();
        tree(answer).path("Attributes").fields().forEachRemaining(f -> attributes.put(f.getKey(), f.getValue().asText()));
        return attributes;
    }

    /**
     * The failure an error answer means. The code is SQS's query-compatible one when the answer carries it
     * ({@code x-amzn-query-error: AWS.SimpleQueueService.NonExistentQueue;Sender}), as the SDK reports it, else the
     * JSON {@code __type} after its namespace. Throttling and 5xx are transient; a 5xx may have been acted on.
     *
     * @param queryError the {@code x-amzn-query-error} header, or null
     */
    static AwsCallException error(String operation, int status, String queryError, byte[] answer) {
        String code = null;
        String message = "";
        if (queryError != null && !queryError.isBlank()) {
            code = withoutNamespace(queryError.split(";", 2)[0].trim());
        }
        try {
            JsonNode root = tree(answer);
            if (code == null) {
                String type = root.path("__type").asText(null);
                code = type == null ? null : withoutNamespace(type);
            }
            message = root.has("message") ? root.path("message").asText() : root.path("Message").asText("");
        } catch (RuntimeException unreadable) {
            message = "an answer that is not JSON (" + answer.length + " bytes)";
        }
        if (code == null || code.isEmpty()) {
            code = status >= 500 ? "InternalError" : "Unknown";
        }
        boolean throttled = status == 429 || THROTTLING.contains(code);
        boolean serverSide = status >= 500;
        return new AwsCallException(operation + " failed: " + code + ": " + message + " (HTTP " + status + ")",
                throttled || serverSide, throttled, code, null, serverSide && !throttled);
    }

    /** {@code com.amazonaws.sqs#QueueDoesNotExist} as {@code QueueDoesNotExist}, the code the SDK reports. */
    private static String withoutNamespace(String code) {
        return code.substring(code.lastIndexOf('#') + 1);
    }

    private static JsonNode tree(byte[] answer) {
        try {
            return MAPPER.readTree(answer);
        } catch (IOException e) {
            throw new UncheckedIOException("SQS's answer is not JSON", e);
        }
    }
}
