package io.coscale.pooldata;

import io.coscale.aws.DynamoDbTable;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.DoubleAdder;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.ConsumedCapacity;
import software.amazon.awssdk.services.dynamodb.model.ReturnConsumedCapacity;
import software.amazon.awssdk.services.dynamodb.model.ReturnValue;
import software.amazon.awssdk.services.dynamodb.model.ScanResponse;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemResponse;

/**
 * Pools as items of the lease's DynamoDB table: partition key {@code name} = {@code pool#<name>}, attributes
 * {@code definition} (S, JSON), {@code version} (N), {@code origin} (S: {@code document} or {@code api}) and
 * {@code deleted} (BOOL); and one item {@code pools#version} whose {@code changes} (N) every write adds one to. Writes
 * are {@code UpdateItem} calls conditional on the version the writer saw; a poll is one eventually consistent
 * {@code GetItem} of {@code pools#version}; the pools are read with a strongly consistent {@code Scan} of the
 * {@code pool#} items only after the counter moved. SDK types never leave this class.
 */
public class DynamoDbPoolStore implements PoolStore {

    static final String PREFIX = "pool#";
    static final String CHANGES_KEY = "pools#version";
    private static final Map<String, String> NAMES = Map.of("#definition", "definition", "#version", "version",
            "#origin", "origin", "#deleted", "deleted");

    private final DynamoDbClient client;
    private final String table;
    private final DoubleAdder readUnits = new DoubleAdder();

    DynamoDbPoolStore(DynamoDbClient client, String table) {
        this.client = client;
        this.table = table;
    }

    /** A store in the table {@code settings} name; nothing is called until the first read or write. */
    public static DynamoDbPoolStore open(DynamoDbTable settings) {
        return new DynamoDbPoolStore(settings.client(), settings.table());
    }

    @Override
    public long changes() {
        try {
            var response = client.getItem(b -> b.tableName(table).key(key(CHANGES_KEY))
                    .returnConsumedCapacity(ReturnConsumedCapacity.TOTAL));
            count(response.consumedCapacity());
            AttributeValue changes = response.hasItem() ? response.item().get("changes") : null;
            return changes == null ? 0 : Long.parseLong(changes.n());
        } catch (SdkException e) {
            throw new PoolStoreException("GetItem " + CHANGES_KEY + " on " + table + " failed: " + e.getMessage(), e);
        }
    }

    @Override
    public List<StoredPool> all() {
        List<StoredPool> pools = new ArrayList<>();
        Map<String, AttributeValue> start = null;
        try {
            do {
                Map<String, AttributeValue> from = start;
                ScanResponse page = client.scan(b -> b.tableName(table).consistentRead(true).exclusiveStartKey(from)
                        .filterExpression("begins_with(#name, :prefix)").expressionAttributeNames(Map.of("#name", "name"))
                        .expressionAttributeValues(Map.of(":prefix", AttributeValue.fromS(PREFIX)))
                        .returnConsumedCapacity(ReturnConsumedCapacity.TOTAL));
                count(page.consumedCapacity());
                page.items().forEach(item -> pools.add(fromAttributes(item)));
                start = page.hasLastEvaluatedKey() && !page.lastEvaluatedKey().isEmpty() ? page.lastEvaluatedKey() : null;
            } while (start != null);
            return pools;
        } catch (SdkException e) {
            throw new PoolStoreException("Scan of the pools on " + table + " failed: " + e.getMessage(), e);
        }
    }

    @Override
    public Optional<StoredPool> find(String name) {
        try {
            var response = client.getItem(b -> b.tableName(table).consistentRead(true).key(key(PREFIX + name))
                    .returnConsumedCapacity(ReturnConsumedCapacity.TOTAL));
            count(response.consumedCapacity());
            return response.hasItem() && !response.item().isEmpty() ? Optional.of(fromAttributes(response.item()))
                    : Optional.empty();
        } catch (SdkException e) {
            throw new PoolStoreException("GetItem of pool " + name + " on " + table + " failed: " + e.getMessage(), e);
        }
    }

    @Override
    public Optional<StoredPool> write(String name, String definition, StoredPool.Origin origin, boolean deleted,
            long expectedVersion) {
        Map<String, AttributeValue> values = new HashMap<>(values(definition, origin, deleted));
        String condition;
        if (expectedVersion == ABSENT) {
            condition = "attribute_not_exists(#name)";
        } else {
            condition = "#version = :expected";
            values.put(":expected", AttributeValue.fromN(Long.toString(expectedVersion)));
        }
        return update(name, condition, values).map(DynamoDbPoolStore::fromAttributes);
    }

    @Override
    public boolean seed(String name, String definition) {
        // One conditional write, so that replicas starting together with one document write it once.
        Map<String, AttributeValue> values = new HashMap<>(values(definition, StoredPool.Origin.DOCUMENT, false));
        values.put(":document", AttributeValue.fromS(wire(StoredPool.Origin.DOCUMENT)));
        return update(name, "attribute_not_exists(#name) OR (#origin = :document AND #definition <> :definition)",
                values).isPresent();
    }

    private Optional<Map<String, AttributeValue>> update(String name, String condition, Map<String, AttributeValue> values) {
        // DynamoDB refuses a name the expressions do not use.
        Map<String, String> names = new HashMap<>(NAMES);
        if (condition.contains("#name")) {
            names.put("#name", "name");
        }
        UpdateItemResponse response;
        try {
            response = client.updateItem(b -> b.tableName(table).key(key(PREFIX + name))
                    .updateExpression("SET #definition = :definition, #origin = :origin, #deleted = :deleted ADD #version :one")
                    .conditionExpression(condition).expressionAttributeNames(names).expressionAttributeValues(values)
                    .returnValues(ReturnValue.ALL_NEW));
        } catch (ConditionalCheckFailedException e) {
            return Optional.empty();
        } catch (SdkException e) {
            throw new PoolStoreException("UpdateItem of pool " + name + " on " + table + " failed: " + e.getMessage(), e);
        }
        try {
            client.updateItem(b -> b.tableName(table).key(key(CHANGES_KEY)).updateExpression("ADD #changes :one")
                    .expressionAttributeNames(Map.of("#changes", "changes"))
                    .expressionAttributeValues(Map.of(":one", AttributeValue.fromN("1"))));
        } catch (SdkException e) {
            throw new PoolStoreException("pool " + name + " written, but UpdateItem " + CHANGES_KEY + " on " + table
                    + " failed (other replicas see the pool after the next change): " + e.getMessage(), e);
        }
        return Optional.of(response.attributes());
    }

    /** The read capacity units this store's reads consumed, as DynamoDB reported them: what its polls cost. */
    public double readUnits() {
        return readUnits.sum();
    }

    private void count(ConsumedCapacity consumed) {
        if (consumed != null && consumed.capacityUnits() != null) {
            readUnits.add(consumed.capacityUnits());
        }
    }

    private static Map<String, AttributeValue> key(String name) {
        return Map.of("name", AttributeValue.fromS(name));
    }

    private static Map<String, AttributeValue> values(String definition, StoredPool.Origin origin, boolean deleted) {
        return Map.of(":definition", AttributeValue.fromS(definition), ":origin", AttributeValue.fromS(wire(origin)),
                ":deleted", AttributeValue.fromBool(deleted), ":one", AttributeValue.fromN("1"));
    }

    private static String wire(StoredPool.Origin origin) {
        return origin.name().toLowerCase(java.util.Locale.ROOT);
    }

    /** @throws PoolStoreException an attribute is missing or of the wrong type: the item was not written by coscale */
    static StoredPool fromAttributes(Map<String, AttributeValue> item) {
        try {
            String key = item.get("name").s();
            AttributeValue deleted = item.get("deleted");
            return new StoredPool(key.substring(PREFIX.length()), item.get("definition").s(),
                    Long.parseLong(item.get("version").n()),
                    StoredPool.Origin.valueOf(item.get("origin").s().toUpperCase(java.util.Locale.ROOT)),
                    deleted != null && Boolean.TRUE.equals(deleted.bool()));
        } catch (RuntimeException e) {
            throw new PoolStoreException("the pool item " + item + " is malformed: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        client.close();
    }
}
