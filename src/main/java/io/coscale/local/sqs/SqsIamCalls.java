package io.coscale.local.sqs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.coscale.local.AwsCallLog.Call;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * What IAM authorizes for an SQS request, in either protocol SQS speaks (JSON with {@code X-Amz-Target:
 * AmazonSQS.<Action>}, as coscale's clients send it; the query protocol, as older boto3 does): the action, with each
 * batch authorized as its single form ("SendMessageBatch" is {@code sqs:SendMessage}), on the queue the request names by
 * URL (in the body, or as the request path) or by name.
 */
final class SqsIamCalls {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String REGION = "us-east-1";
    private static final String JSON_TARGET = "AmazonSQS.";

    private SqsIamCalls() {
    }

    /**
     * @param target the {@code X-Amz-Target} header, or null for the query protocol
     * @param rawPath the request's path: a queue URL's path in the query protocol's path form
     */
    static Call of(String accessKey, String target, String rawPath, String rawQuery, byte[] body) {
        Map<String, String> params = target != null && target.startsWith(JSON_TARGET) ? json(body) : form(rawQuery, body);
        String action = target != null && target.startsWith(JSON_TARGET) ? target.substring(JSON_TARGET.length())
                : params.getOrDefault("Action", "");
        String queueUrl = params.get("QueueUrl");
        String resource;
        if (queueUrl != null) {
            resource = queueArn(pathOf(queueUrl));
        } else if (params.containsKey("QueueName")) {
            resource = "arn:aws:sqs:" + REGION + ":" + params.getOrDefault("QueueOwnerAWSAccountId", "000000000000")
                    + ":" + params.get("QueueName");
        } else if (rawPath.split("/").length >= 3) {
            resource = queueArn(rawPath);
        } else {
            resource = "*";
        }
        return new Call(accessKey, "sqs:" + action.replace("Batch", ""), resource, Map.of());
    }

    /** {@code /ACCOUNT/QUEUE} as the queue's ARN. */
    private static String queueArn(String path) {
        String[] parts = path.split("/");
        return "arn:aws:sqs:" + REGION + ":" + parts[parts.length - 2] + ":" + parts[parts.length - 1];
    }

    private static String pathOf(String url) {
        int scheme = url.indexOf("://");
        int slash = url.indexOf('/', scheme < 0 ? 0 : scheme + 3);
        return slash < 0 ? "/" : url.substring(slash);
    }

    private static Map<String, String> json(byte[] body) {
        Map<String, String> params = new HashMap<>();
        try {
            JsonNode node = JSON.readTree(body);
            if (node != null) {
                node.fields().forEachRemaining(f -> {
                    if (f.getValue().isValueNode()) {
                        params.put(f.getKey(), f.getValue().asText());
                    }
                });
            }
        } catch (IOException e) {
            // Not JSON: SQS refuses it, and no permission is needed for that.
        }
        return params;
    }

    private static Map<String, String> form(String rawQuery, byte[] body) {
        Map<String, String> params = new HashMap<>();
        for (String source : new String[] {rawQuery, new String(body, StandardCharsets.UTF_8)}) {
            if (source == null || source.isEmpty()) {
                continue;
            }
            for (String pair : source.split("&")) {
                int eq = pair.indexOf('=');
                if (eq > 0) {
                    params.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                            URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
                }
            }
        }
        return params;
    }
}
