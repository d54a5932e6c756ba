package io.coscale.idempotency;

import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Where idempotency records live: shared by every replica (DynamoDB) or in this process (memory). Every write is
 * conditional and atomic, so the store alone decides between two requests racing for one key, whichever replicas
 * they reached. Nothing here blocks its caller: each call answers with a future, which fails with an
 * {@link IdempotencyStoreException} when the store could not be asked (for a write: it may or may not have happened).
 */
public interface IdempotencyStore extends AutoCloseable {

    /**
     * The record under {@code key}, strongly consistent, unless there is none or it has expired at {@code now}
     * (a store may keep expired records a while: DynamoDB's TTL deletes late).
     */
    CompletableFuture<Optional<IdempotencyRecord>> find(IdempotencyKey key, Instant now);

    /**
     * Stores {@code record} if no live record holds its key: none, or one expired at {@code now}.
     *
     * @return true if stored; false if a live record holds the key (the caller reads it)
     */
    CompletableFuture<Boolean> create(IdempotencyRecord record, Instant now);

    /**
     * Replaces the record under {@code record.key()} with {@code record} if the stored one still has version
     * {@code expectedVersion}.
     *
     * @return true if replaced; false if the record changed or went meanwhile
     */
    CompletableFuture<Boolean> replace(IdempotencyRecord record, long expectedVersion);

    /**
     * Deletes the record under {@code key} if it still has version {@code expectedVersion}.
     *
     * @return true if deleted; false if the record changed or went meanwhile
     */
    CompletableFuture<Boolean> delete(IdempotencyKey key, long expectedVersion);

    /** Releases the store's connections and threads; the default has none. */
    @Override
    default void close() {
    }
}
