package io.coscale.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.coscale.domain.OutgoingMessage;
import io.coscale.domain.Pool;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Turns one submitted job's JSON into the SQS message it becomes, or says precisely what is wrong with it.
 * The message body is the payload itself: a JSON string as its bare text, any other value as its JSON text,
 * so existing workers that read raw bodies keep working. Unknown fields are ignored.
 */
final class JobParser {

    /** Why a job was refused: the HTTP status and a code for batch entries. */
    static final class InvalidJob extends Exception {
        final int status;
        final String code;

        InvalidJob(int status, String code, String message) {
            super(message, null, false, false);
            this.status = status;
            this.code = code;
        }
    }

    static final int MAX_DELAY_SECONDS = 900;
    /** SQS allows 10 message attributes; coscale adds coscale-job-id. */
    static final int MAX_ATTRIBUTES = 9;
    private static final Pattern ATTRIBUTE_NAME = Pattern.compile("[A-Za-z0-9_.-]{1,256}");
    private static final Pattern FIFO_ID = Pattern.compile("[\\x21-\\x7E]{1,128}");
    /** The characters SQS accepts in a message body (XML 1.0's). */
    private static final Pattern SQS_TEXT = Pattern.compile("[\\x09\\x0A\\x0D\\x20-\\x{D7FF}\\x{E000}-\\x{FFFD}\\x{10000}-\\x{10FFFF}]*");

    private final int maxPayloadBytes;

    JobParser(int maxPayloadBytes) {
        this.maxPayloadBytes = maxPayloadBytes;
    }

    OutgoingMessage parse(JsonNode job, String queueUrl) throws InvalidJob {
        if (job == null || !job.isObject()) {
            throw invalid("a job must be a JSON object with a \"payload\" field");
        }
        JsonNode payload = job.get("payload");
        if (payload == null) {
            throw invalid("\"payload\" is required (any JSON value)");
        }
        if (payload.isNull()) {
            // Well-formed but meaningless: the message body would be the text "null", which no worker can tell
            // from a job whose submitter lost its value. Refused as unprocessable, never enqueued.
            throw new InvalidJob(422, "NullPayload", "\"payload\" must not be null: any other JSON value");
        }
        String body = payload.isTextual() ? payload.textValue() : payload.toString();
        if (body.isEmpty()) {
            throw invalid("\"payload\" must not be an empty string: SQS refuses empty messages");
        }
        int bytes = body.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > maxPayloadBytes) {
            throw new InvalidJob(413, "PayloadTooLarge", "payload is " + bytes + " bytes; the limit is " + maxPayloadBytes);
        }
        if (!SQS_TEXT.matcher(body).matches()) {
            throw invalid("\"payload\" contains characters SQS cannot carry (control characters other than tab, CR, LF)");
        }
        boolean fifo = Pool.isFifo(queueUrl);
        int delay = delaySeconds(job.get("delaySeconds"), fifo);
        Map<String, String> attributes = attributes(job.get("attributes"));
        Optional<String> deduplicationId = fifoId(job.get("deduplicationId"), "deduplicationId", fifo);
        Optional<String> messageGroupId = fifoId(job.get("messageGroupId"), "messageGroupId", fifo);
        return new OutgoingMessage(UUID.randomUUID().toString(), body, attributes, delay, deduplicationId,
                messageGroupId);
    }

    private static int delaySeconds(JsonNode node, boolean fifo) throws InvalidJob {
        if (node == null || node.isNull()) {
            return 0;
        }
        // canConvertToInt first: a larger number (2^64 + 5) would wrap, read as a long, into the range.
        if (!node.isIntegralNumber() || !node.canConvertToInt() || node.asInt() < 0 || node.asInt() > MAX_DELAY_SECONDS) {
            throw invalid("\"delaySeconds\" must be a whole number from 0 to " + MAX_DELAY_SECONDS);
        }
        if (fifo && node.asInt() > 0) {
            throw invalid("\"delaySeconds\" is not supported per message on a FIFO queue");
        }
        return node.asInt();
    }

    private static Map<String, String> attributes(JsonNode node) throws InvalidJob {
        Map<String, String> attributes = new LinkedHashMap<>();
        if (node == null || node.isNull()) {
            return attributes;
        }
        if (!node.isObject()) {
            throw invalid("\"attributes\" must be an object of string values");
        }
        if (node.size() > MAX_ATTRIBUTES) {
            throw invalid("\"attributes\" may hold at most " + MAX_ATTRIBUTES + " entries (SQS allows 10; coscale adds "
                    + OutgoingMessage.JOB_ID_ATTRIBUTE + ")");
        }
        for (Map.Entry<String, JsonNode> e : (Iterable<Map.Entry<String, JsonNode>>) node::fields) {
            String name = e.getKey();
            String lower = name.toLowerCase();
            if (!ATTRIBUTE_NAME.matcher(name).matches() || name.startsWith(".") || name.endsWith(".") || name.contains("..")
                    || lower.startsWith("aws.") || lower.startsWith("amazon.")) {
                throw invalid("attribute name \"" + name + "\" is not valid for SQS (letters, digits, _ - . ; no AWS./Amazon. prefix)");
            }
            if (name.equals(OutgoingMessage.JOB_ID_ATTRIBUTE)) {
                throw invalid("attribute \"" + name + "\" is reserved: coscale sets it");
            }
            if (!e.getValue().isTextual() || e.getValue().textValue().isEmpty()) {
                throw invalid("attribute \"" + name + "\" must have a non-empty string value");
            }
            attributes.put(name, e.getValue().textValue());
        }
        return attributes;
    }

    /** A FIFO queue's {@code deduplicationId} or {@code messageGroupId}: SQS takes the same characters for both. */
    private static Optional<String> fifoId(JsonNode node, String field, boolean fifo) throws InvalidJob {
        if (node == null || node.isNull()) {
            return Optional.empty();
        }
        if (!node.isTextual() || !FIFO_ID.matcher(node.textValue()).matches()) {
            throw invalid("\"" + field + "\" must be 1 to 128 printable ASCII characters");
        }
        if (!fifo) {
            throw invalid("\"" + field + "\" needs a FIFO queue; this pool's queue is a standard queue");
        }
        return Optional.of(node.textValue());
    }

    private static InvalidJob invalid(String message) {
        return new InvalidJob(400, "InvalidJob", message);
    }
}
