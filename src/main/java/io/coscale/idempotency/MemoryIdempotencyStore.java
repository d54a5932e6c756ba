package io.coscale.idempotency;

import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The records in this process's memory: local mode and tests, where one process is the only replica. Each
 * conditional write is one atomic {@code compute} on the key's entry. Bounded: at {@code maxKeys} records the expired
 * ones are dropped (at most once a second), and while it stays full a new key is refused with an
 * {@link IdempotencyStoreException} (the request is answered 503 and nothing is enqueued) rather than forgetting a
 * live key. The bound may be passed by the few reservations that race at the moment it is reached.
 */
public class MemoryIdempotencyStore implements IdempotencyStore {

    private static final long SWEEP_SPACING_NANOS = 1_000_000_000L;

    private final ConcurrentHashMap<IdempotencyKey, IdempotencyRecord> records = new ConcurrentHashMap<>();
    private final int maxKeys;
    private final AtomicLong lastSweep = new AtomicLong(System.nanoTime() - SWEEP_SPACING_NANOS);

    public MemoryIdempotencyStore(int maxKeys) {
        if (maxKeys < 1) {
            throw new IllegalArgumentException("maxKeys must be at least 1, got " + maxKeys);
        }
        this.maxKeys = maxKeys;
    }

    @Override
    public CompletableFuture<Optional<IdempotencyRecord>> find(IdempotencyKey key, Instant now) {
        return CompletableFuture.completedFuture(Optional.ofNullable(records.get(key)).filter(r -> !r.expired(now)));
    }

    @Override
    public CompletableFuture<Boolean> create(IdempotencyRecord record, Instant now) {
        if (records.size() >= maxKeys && !records.containsKey(record.key())) {
            sweep(now);
            if (records.size() >= maxKeys) {
                return CompletableFuture.failedFuture(new IdempotencyStoreException("the in-memory idempotency store "
                        + "holds " + maxKeys + " live keys, its limit", null));
            }
        }
        AtomicBoolean stored = new AtomicBoolean();
        records.compute(record.key(), (k, old) -> {
            if (old == null || old.expired(now)) {
                stored.set(true);
                return record;
            }
            return old;
        });
        return CompletableFuture.completedFuture(stored.get());
    }

    @Override
    public CompletableFuture<Boolean> replace(IdempotencyRecord record, long expectedVersion) {
        AtomicBoolean replaced = new AtomicBoolean();
        records.computeIfPresent(record.key(), (k, old) -> {
            if (old.version() == expectedVersion) {
                replaced.set(true);
                return record;
            }
            return old;
        });
        return CompletableFuture.completedFuture(replaced.get());
    }

    @Override
    public CompletableFuture<Boolean> delete(IdempotencyKey key, long expectedVersion) {
        AtomicBoolean deleted = new AtomicBoolean();
        records.computeIfPresent(key, (k, old) -> {
            if (old.version() == expectedVersion) {
                deleted.set(true);
                return null;
            }
            return old;
        });
        return CompletableFuture.completedFuture(deleted.get());
    }

    /** How many records are held, expired ones not yet dropped included. */
    public int size() {
        return records.size();
    }

    /** Drops the expired records, unless another sweep ran within the last second (a full store is swept once). */
    private void sweep(Instant now) {
        long last = lastSweep.get();
        long at = System.nanoTime();
        if (at - last >= SWEEP_SPACING_NANOS && lastSweep.compareAndSet(last, at)) {
            records.values().removeIf(r -> r.expired(now));
        }
    }
}
