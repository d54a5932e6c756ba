package io.coscale.idempotency;

import io.coscale.aws.DynamoDbTable;
import io.coscale.concurrent.Threads;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;

/**
 * The records as items of the lease's DynamoDB table, so that every replica shares them: partition key {@code name}
 * = {@code idem#<pool>#<key>}, attributes {@code fingerprint} (S), {@code state} (S), {@code jobIds} (L of S),
 * {@code status} (N), {@code body} (S, once DONE), {@code version} (N), {@code claimUntil} and {@code expiresAt}
 * (N, epoch milliseconds) and {@code ttl} (N, epoch seconds: the table's TTL deletes the item, late). At run time
 * {@code GetItem} (strongly consistent), {@code PutItem} with {@code attribute_not_exists(name) OR expiresAt <= now},
 * and {@code PutItem} and {@code DeleteItem} conditional on {@code version}: never a read-then-write decision.
 *
 * <p>The SDK's client is the synchronous one (this build has no Netty); its calls run on this store's own bounded
 * threads and queue, apart from the SQS sends, so that a slow DynamoDB holds up keyed submissions only. The SDK retries
 * nothing: a failed call fails the request (503 before anything was sent).
 */
public class DynamoDbIdempotencyStore implements IdempotencyStore {

    /** Threads for DynamoDB calls: a keyed submission makes two or three calls of a few milliseconds. */
    static final int THREADS = 8;
    /** Calls that may wait for a thread. */
    static final int QUEUED = 1024;

    private final DynamoDbClient client;
    private final String table;
    private final ExecutorService calls;

    DynamoDbIdempotencyStore(DynamoDbClient client, String table) {
        this.client = client;
        this.table = table;
        // Bounded queue: past it a keyed submission is refused (503, nothing sent) rather than left waiting.
        this.calls = new ThreadPoolExecutor(THREADS, THREADS, 0, TimeUnit.MILLISECONDS,
                new ArrayBlockingQueue<>(QUEUED), Threads.daemon("coscale-idempotency"));
    }

    /** A store in the lease's table, reached as {@code settings} say; nothing is called until the first request. */
    public static DynamoDbIdempotencyStore open(DynamoDbTable settings) {
        return new DynamoDbIdempotencyStore(settings.client(), settings.table());
    }

    @Override
    public CompletableFuture<Optional<IdempotencyRecord>> find(IdempotencyKey key, Instant now) {
        return call("GetItem", () -> {
            Map<String, AttributeValue> item = client.getItem(b -> b.tableName(table).consistentRead(true)
                    .key(Map.of("name", AttributeValue.fromS(key.storageName())))).item();
            return item == null || item.isEmpty() ? Optional.<IdempotencyRecord>empty()
                    : Optional.of(fromAttributes(key, item)).filter(r -> !r.expired(now));
        });
    }

    @Override
    public CompletableFuture<Boolean> create(IdempotencyRecord record, Instant now) {
        return call("PutItem", () -> conditional(() -> client.putItem(b -> b.tableName(table).item(toAttributes(record))
                .conditionExpression("attribute_not_exists(#name) OR #expiresAt <= :now")
                .expressionAttributeNames(Map.of("#name", "name", "#expiresAt", "expiresAt"))
                .expressionAttributeValues(Map.of(":now", number(now.toEpochMilli()))))));
    }

    @Override
    public CompletableFuture<Boolean> replace(IdempotencyRecord record, long expectedVersion) {
        return call("PutItem", () -> conditional(() -> client.putItem(b -> b.tableName(table).item(toAttributes(record))
                .conditionExpression("#version = :expected")
                .expressionAttributeNames(Map.of("#version", "version"))
                .expressionAttributeValues(Map.of(":expected", number(expectedVersion))))));
    }

    @Override
    public CompletableFuture<Boolean> delete(IdempotencyKey key, long expectedVersion) {
        return call("DeleteItem", () -> conditional(() -> client.deleteItem(b -> b.tableName(table)
                .key(Map.of("name", AttributeValue.fromS(key.storageName())))
                .conditionExpression("#version = :expected")
                .expressionAttributeNames(Map.of("#version", "version"))
                .expressionAttributeValues(Map.of(":expected", number(expectedVersion))))));
    }

    /** The item of {@code record}. */
    static Map<String, AttributeValue> toAttributes(IdempotencyRecord record) {
        Map<String, AttributeValue> item = new HashMap<>();
        item.put("name", AttributeValue.fromS(record.key().storageName()));
        item.put("fingerprint", AttributeValue.fromS(record.fingerprint()));
        item.put("state", AttributeValue.fromS(record.state().name()));
        item.put("jobIds", AttributeValue.fromL(record.jobIds().stream().map(AttributeValue::fromS).toList()));
        item.put("status", number(record.status()));
        if (record.body() != null) {
            item.put("body", AttributeValue.fromS(record.body()));
        }
        item.put("version", number(record.version()));
        item.put("claimUntil", number(record.claimUntil().toEpochMilli()));
        item.put("expiresAt", number(record.expiresAt().toEpochMilli()));
        // Rounded up: TTL must never delete an item before it expired.
        item.put("ttl", number((record.expiresAt().toEpochMilli() + 999) / 1000));
        return item;
    }

    /**
     * The record in a stored item.
     *
     * @throws IdempotencyStoreException an attribute is missing or malformed: the item was not written by coscale
     */
    static IdempotencyRecord fromAttributes(IdempotencyKey key, Map<String, AttributeValue> item) {
        try {
            AttributeValue body = item.get("body");
            List<String> jobIds = Objects.requireNonNull(item.get("jobIds"), "jobIds").l().stream()
                    .map(v -> Objects.requireNonNull(v.s(), "jobIds")).toList();
            return new IdempotencyRecord(key, string(item, "fingerprint"),
                    IdempotencyRecord.State.valueOf(string(item, "state")), jobIds,
                    (int) longOf(item, "status"), body == null ? null : body.s(), longOf(item, "version"),
                    Instant.ofEpochMilli(longOf(item, "claimUntil")), Instant.ofEpochMilli(longOf(item, "expiresAt")));
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new IdempotencyStoreException("the idempotency item " + key.storageName() + " is malformed: "
                    + e.getMessage(), e);
        }
    }

    private static String string(Map<String, AttributeValue> item, String name) {
        AttributeValue value = item.get(name);
        return Objects.requireNonNull(value == null ? null : value.s(), name);
    }

    private static long longOf(Map<String, AttributeValue> item, String name) {
        AttributeValue value = item.get(name);
        return Long.parseLong(Objects.requireNonNull(value == null ? null : value.n(), name));
    }

    private static AttributeValue number(long n) {
        return AttributeValue.fromN(Long.toString(n));
    }

    /** A conditional write: true if it happened, false if its condition failed. */
    private static boolean conditional(Runnable write) {
        try {
            write.run();
            return true;
        } catch (ConditionalCheckFailedException e) {
            return false;
        }
    }

    /** One SDK call on this store's threads; an SDK failure (or no thread to run on) fails the future. */
    private <T> CompletableFuture<T> call(String operation, Supplier<T> call) {
        try {
            return CompletableFuture.supplyAsync(() -> {
                try {
                    return call.get();
                } catch (SdkException e) {
                    throw new IdempotencyStoreException(operation + " on " + table + " failed: " + e.getMessage(), e);
                }
            }, calls);
        } catch (RejectedExecutionException e) {
            return CompletableFuture.failedFuture(new IdempotencyStoreException(
                    "the idempotency store has " + QUEUED + " calls waiting, or is closed", e));
        }
    }

    @Override
    public void close() {
        calls.shutdownNow();
        client.close();
    }
}
