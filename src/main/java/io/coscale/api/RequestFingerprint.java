package io.coscale.api;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The fingerprint a submission's {@code Idempotency-Key} is stored with: the SHA-256 of the operation and of the
 * parsed body written out compactly, as hex. Not of the raw bytes: the resource receives the parsed body, and a client
 * that re-serializes its retry with other whitespace sends the same request. Not of a key-sorted form either: the
 * payload goes onto the queue as the parsed tree's own text, fields in the order sent, so two bodies share a
 * fingerprint exactly when they would put the same messages on the queue (and carry the same other fields).
 */
final class RequestFingerprint {

    private RequestFingerprint() {
    }

    /** The fingerprint of {@code body} sent to {@code operation} ({@code jobs} or {@code jobs:batch}). */
    static String of(String operation, JsonNode body) {
        try {
            MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
            sha256.update(operation.getBytes(StandardCharsets.UTF_8));
            sha256.update((byte) '\n');
            sha256.update(String.valueOf(body).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(sha256.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

    /**
     * The FIFO deduplication id of the job at {@code index} of a keyed submission: the same for every send under
     * the key, and for a repeat the store has forgotten (SQS keeps it five minutes), 64 hex characters.
     */
    static String deduplicationId(String pool, String key, int index) {
        try {
            MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
            return HexFormat.of().formatHex(sha256.digest((pool + "\n" + key + "\n" + index).getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }
}
