package io.coscale.local.sqs;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.UUID;

/**
 * An SQS error answer in the protocol the request used, so that the AWS SDK parses it as SQS's own: the JSON
 * protocol (Content-Type {@code application/x-amz-json-1.0}, {@code X-Amz-Target: AmazonSQS.<Action>}) gets a
 * {@code __type} body plus the {@code x-amzn-query-error} header SQS sends for clients that still map query
 * error codes; anything else is the query protocol and gets SQS's XML {@code ErrorResponse}.
 */
record SqsErrorResponse(int status, Map<String, String> headers, byte[] body) {

    private static final String JSON_TARGET_PREFIX = "AmazonSQS.";

    /** Whether a request with these headers (either may be null) speaks the JSON protocol. */
    static boolean isJson(String contentType, String target) {
        return (target != null && target.startsWith(JSON_TARGET_PREFIX))
                || (contentType != null && contentType.startsWith("application/x-amz-json"));
    }

    /**
     * SQS's {@code InternalError} (a server-side, retryable fault) for a request in the given protocol, with the
     * status given: 500 as SQS sends it, 502 when the proxy itself could not reach ElasticMQ.
     */
    static SqsErrorResponse internalError(int status, boolean json, String message) {
        return error(status, json, "com.amazonaws.sqs#InternalError", "InternalError", "Receiver", message);
    }

    /**
     * A refusal of the caller's request (403, type Sender, not retryable), such as a signature SQS would not accept:
     * {@code code} is SQS's query code, which the JSON protocol also carries in {@code x-amzn-query-error}.
     */
    static SqsErrorResponse refused(boolean json, String code, String message) {
        return error(403, json, "com.amazon.coral.service#" + code, code, "Sender", message);
    }

    /**
     * An error answer: JSON with {@code jsonType} as its {@code __type} and the query code in {@code x-amzn-query-error},
     * or the query protocol's XML; {@code fault} is who is at fault, {@code Sender} or {@code Receiver}.
     */
    private static SqsErrorResponse error(int status, boolean json, String jsonType, String code, String fault,
            String message) {
        String requestId = UUID.randomUUID().toString();
        if (json) {
            String body = "{\"__type\":\"" + jsonType + "\",\"message\":\"" + escapeJson(message) + "\"}";
            return new SqsErrorResponse(status, Map.of(
                    "Content-Type", "application/x-amz-json-1.0",
                    "x-amzn-query-error", code + ";" + fault,
                    "x-amzn-RequestId", requestId), body.getBytes(StandardCharsets.UTF_8));
        }
        String body = "<?xml version=\"1.0\"?><ErrorResponse xmlns=\"http://queue.amazonaws.com/doc/2012-11-05/\">"
                + "<Error><Type>" + fault + "</Type><Code>" + code + "</Code><Message>" + escapeXml(message)
                + "</Message><Detail/></Error><RequestId>" + requestId + "</RequestId></ErrorResponse>";
        return new SqsErrorResponse(status, Map.of(
                "Content-Type", "text/xml",
                "x-amzn-RequestId", requestId), body.getBytes(StandardCharsets.UTF_8));
    }

    private static String escapeJson(String s) {
        return s.replace("\\", "\\\\").replace("\"", "\\\"");
    }

    private static String escapeXml(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
