package io.coscale.idempotency;

import java.util.Optional;

/**
 * An {@code Idempotency-Key} in its scope: the pool it was sent to and the key itself, so that one key sent to two
 * pools names two independent submissions.
 *
 * @param pool the pool's name
 * @param key  1 to {@value #MAX_LENGTH} visible ASCII characters ({@code !} to {@code ~})
 */
public record IdempotencyKey(String pool, String key) {

    /** The request header that carries the key. */
    public static final String HEADER = "Idempotency-Key";

    /** The longest key accepted. */
    public static final int MAX_LENGTH = 255;

    public IdempotencyKey {
        if (pool == null || pool.isEmpty() || key == null || !visibleAscii(key)) {
            throw new IllegalArgumentException("an idempotency key is 1 to " + MAX_LENGTH + " visible ASCII characters");
        }
    }

    /**
     * The key a header value names in {@code pool}, or why it names none. The value is the key itself
     * ({@code Idempotency-Key: 8e03978e-40d5}) or, as the IETF draft writes it, a structured-field string
     * ({@code Idempotency-Key: "8e03978e-40d5"}): both name the same key.
     *
     * @return empty when the value is not 1 to {@value #MAX_LENGTH} visible ASCII characters (quotes aside)
     */
    public static Optional<IdempotencyKey> parse(String pool, String headerValue) {
        if (headerValue == null) {
            return Optional.empty();
        }
        String value = headerValue.strip();
        if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) {
            String inner = value.substring(1, value.length() - 1);
            // A structured-field string escapes quotes and backslashes; such keys are not worth the ambiguity.
            if (inner.indexOf('"') >= 0 || inner.indexOf('\\') >= 0) {
                return Optional.empty();
            }
            value = inner;
        }
        return visibleAscii(value) ? Optional.of(new IdempotencyKey(pool, value)) : Optional.empty();
    }

    /** The item name in a shared table: {@code idem#<pool>#<key>} (a pool name holds no {@code #}). */
    public String storageName() {
        return "idem#" + pool + "#" + key;
    }

    private static boolean visibleAscii(String value) {
        if (value.isEmpty() || value.length() > MAX_LENGTH) {
            return false;
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < 0x21 || c > 0x7E) {
                return false;
            }
        }
        return true;
    }
}
