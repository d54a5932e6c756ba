package io.coscale.local.secrets;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.coscale.local.AwsCallLog;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The Secrets Manager API of the local cloud, as much as coscale and its deployment use: {@code CreateSecret},
 * {@code PutSecretValue} and {@code GetSecretValue} of string secrets, named by name or ARN; the ARN ends in six
 * characters, as AWS's do (see {@link #arn}). Only the current version is kept: the rotation coscale documents moves tokens
 * inside one secret's value, not between its versions.
 */
public final class SecretsEmulator {

    /** The {@code X-Amz-Target} prefix of the Secrets Manager JSON 1.1 API. */
    public static final String TARGET_PREFIX = "secretsmanager.";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SUFFIX_CHARS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

    private final String region;
    private final String account;
    private final Map<String, Secret> byName = new ConcurrentHashMap<>();

    private record Secret(String arn, String name, String value, String versionId) {
    }

    /** A refusal as Secrets Manager answers it: its error type and HTTP status. */
    public static final class SecretsApiException extends RuntimeException {
        private final String type;
        private final int status;

        SecretsApiException(String type, int status, String message) {
            super(message);
            this.type = type;
            this.status = status;
        }

        public String type() {
            return type;
        }

        public int status() {
            return status;
        }
    }

    public SecretsEmulator(String region, String account) {
        this.region = region;
        this.account = account;
    }

    /** Answers {@code action} with {@code request}'s fields, or throws the error Secrets Manager would. */
    public ObjectNode call(String action, JsonNode request) {
        return switch (action) {
            case "CreateSecret" -> create(text(request, "Name"), text(request, "SecretString"));
            case "PutSecretValue" -> put(find(text(request, "SecretId")), text(request, "SecretString"));
            case "GetSecretValue" -> get(find(text(request, "SecretId")));
            default -> throw new SecretsApiException("UnknownOperationException", 400,
                    "The local cloud's Secrets Manager does not serve " + action);
        };
    }

    /** The calls IAM would authorize for {@code action}: its action on the secret's ARN, signed by {@code accessKey}. */
    public List<AwsCallLog.Call> iamCalls(String accessKey, String action, JsonNode request) {
        String id = request.path(action.equals("CreateSecret") ? "Name" : "SecretId").asText("");
        String resource = lookup(id).map(Secret::arn).orElse("arn:aws:secretsmanager:" + region + ":" + account
                + ":secret:" + id);
        return List.of(new AwsCallLog.Call(accessKey, "secretsmanager:" + action, resource, Map.of()));
    }

    /**
     * The ARN a secret named {@code name} gets: AWS's shape, the name and six characters; here the six are taken from
     * the name, so that a test can know the ARN before the secret exists (on AWS they are random).
     */
    public static String arn(String region, String account, String name) {
        StringBuilder suffix = new StringBuilder("-");
        int hash = name.hashCode();
        for (int i = 0; i < 6; i++) {
            suffix.append(SUFFIX_CHARS.charAt(Math.floorMod(hash, SUFFIX_CHARS.length())));
            hash = hash * 31 + i + 7;
        }
        return "arn:aws:secretsmanager:" + region + ":" + account + ":secret:" + name + suffix;
    }

    private synchronized ObjectNode create(String name, String value) {
        if (byName.containsKey(name)) {
            throw new SecretsApiException("ResourceExistsException", 400, "The secret " + name + " already exists.");
        }
        Secret secret = new Secret(arn(region, account, name), name, value, UUID.randomUUID().toString());
        byName.put(name, secret);
        return JSON.createObjectNode().put("ARN", secret.arn()).put("Name", name).put("VersionId", secret.versionId());
    }

    private synchronized ObjectNode put(Secret secret, String value) {
        Secret next = new Secret(secret.arn(), secret.name(), value, UUID.randomUUID().toString());
        byName.put(secret.name(), next);
        ObjectNode answer = JSON.createObjectNode().put("ARN", next.arn()).put("Name", next.name())
                .put("VersionId", next.versionId());
        answer.putArray("VersionStages").add("AWSCURRENT");
        return answer;
    }

    private static ObjectNode get(Secret secret) {
        ObjectNode answer = JSON.createObjectNode().put("ARN", secret.arn()).put("Name", secret.name())
                .put("SecretString", secret.value()).put("VersionId", secret.versionId());
        answer.putArray("VersionStages").add("AWSCURRENT");
        return answer;
    }

    private Secret find(String id) {
        return lookup(id).orElseThrow(() -> new SecretsApiException("ResourceNotFoundException", 400,
                "Secrets Manager can't find the specified secret."));
    }

    /** The secret named {@code id}: its name, its full ARN, or its ARN without the random suffix (as AWS allows). */
    private Optional<Secret> lookup(String id) {
        Secret named = byName.get(id);
        if (named != null) {
            return Optional.of(named);
        }
        return byName.values().stream()
                .filter(s -> s.arn().equals(id) || s.arn().substring(0, s.arn().length() - 7).equals(id))
                .findFirst();
    }

    private static String text(JsonNode request, String field) {
        JsonNode value = request.path(field);
        if (!value.isTextual() || value.asText().isEmpty()) {
            throw new SecretsApiException("InvalidParameterException", 400, field + " is required.");
        }
        return value.asText();
    }
}
