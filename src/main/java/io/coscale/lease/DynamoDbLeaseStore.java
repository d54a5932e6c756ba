package io.coscale.lease;

import io.coscale.aws.DynamoDbTable;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.jboss.logging.Logger;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ResourceInUseException;
import software.amazon.awssdk.services.dynamodb.model.ResourceNotFoundException;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.dynamodb.model.TableStatus;

/**
 * The lease as one DynamoDB item per name: partition key {@code name} (S), attributes {@code holder} (S),
 * {@code address} (S), {@code epoch} (N), {@code version} (N) and {@code ttl} (N, epoch seconds a day ahead, so that
 * the table's TTL deletes an item no replica has written for a day). At run time only {@code GetItem} (strongly
 * consistent) and {@code PutItem} with a {@code ConditionExpression}; {@code CreateTable} and {@code DescribeTable}
 * only when asked to create the table. SDK types never leave this class; the SDK retries nothing (the next heartbeat
 * is the retry).
 */
public class DynamoDbLeaseStore implements LeaseStore {

    /** The timeout of the set-up calls (CreateTable, DescribeTable), which are not bound by the heartbeat. */
    private static final java.util.function.Consumer<software.amazon.awssdk.awscore.AwsRequestOverrideConfiguration.Builder>
            SET_UP = o -> o.apiCallTimeout(Duration.ofSeconds(20)).apiCallAttemptTimeout(Duration.ofSeconds(10));

    private static final Logger LOG = Logger.getLogger(DynamoDbLeaseStore.class);
    private static final Duration TTL = Duration.ofDays(1);
    private static final Duration TABLE_WAIT = Duration.ofSeconds(60);

    private final DynamoDbClient client;
    private final String table;
    private final Clock wallClock;

    DynamoDbLeaseStore(DynamoDbClient client, String table, Clock wallClock) {
        this.client = client;
        this.table = table;
        this.wallClock = wallClock;
    }

    /** A store over {@code table.table()}; nothing is called until the first read, write or {@link #createTable}. */
    public static DynamoDbLeaseStore open(DynamoDbTable table) {
        return new DynamoDbLeaseStore(table.client(), table.table(), Clock.systemUTC());
    }

    /**
     * Creates the table (on-demand capacity) unless it exists, then waits until it is ACTIVE. For local work and
     * tests: production creates it with CloudFormation, with its TTL on {@code ttl}.
     *
     * @throws LeaseStoreException DynamoDB refused, did not answer, or the table was not ACTIVE within a minute
     */
    public void createTable() {
        // Set-up is not a heartbeat: it may take longer than one, on a busy machine above all.
        try {
            client.createTable(b -> b.tableName(table).overrideConfiguration(SET_UP)
                    .attributeDefinitions(AttributeDefinition.builder().attributeName("name")
                            .attributeType(ScalarAttributeType.S).build())
                    .keySchema(KeySchemaElement.builder().attributeName("name").keyType(KeyType.HASH).build())
                    .billingMode(BillingMode.PAY_PER_REQUEST));
            LOG.infof("Created the lease table %s", table);
        } catch (ResourceInUseException e) {
            LOG.debugf("The lease table %s exists", table);
        } catch (SdkException e) {
            throw new LeaseStoreException("could not create the lease table " + table + ": " + e.getMessage(), e);
        }
        long deadline = System.nanoTime() + TABLE_WAIT.toNanos();
        while (System.nanoTime() - deadline < 0) {
            try {
                if (client.describeTable(b -> b.tableName(table).overrideConfiguration(SET_UP)).table().tableStatus()
                        == TableStatus.ACTIVE) {
                    return;
                }
            } catch (ResourceNotFoundException e) {
                // DescribeTable may not see a table it just created yet
            } catch (SdkClientException e) {
                LOG.debugf("DescribeTable of %s did not answer yet: %s", table, e.getMessage()); // asked again below
            } catch (SdkException e) {
                throw new LeaseStoreException("could not describe the lease table " + table + ": " + e.getMessage(), e);
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new LeaseStoreException("interrupted while waiting for the lease table " + table, e);
            }
        }
        throw new LeaseStoreException("the lease table " + table + " was not ACTIVE within " + TABLE_WAIT, null);
    }

    @Override
    public Optional<LeaseItem> read(String name) {
        try {
            Map<String, AttributeValue> item = client.getItem(b -> b.tableName(table).consistentRead(true)
                    .key(Map.of("name", AttributeValue.fromS(name)))).item();
            return item == null || item.isEmpty() ? Optional.empty() : Optional.of(fromAttributes(item));
        } catch (SdkException e) {
            throw new LeaseStoreException("GetItem on " + table + " failed: " + e.getMessage(), e);
        }
    }

    @Override
    public boolean write(LeaseItem item, long expectedVersion) {
        long ttl = wallClock.instant().plus(TTL).getEpochSecond();
        try {
            client.putItem(b -> {
                b.tableName(table).item(toAttributes(item, ttl));
                if (expectedVersion == ABSENT) {
                    b.conditionExpression("attribute_not_exists(#name)").expressionAttributeNames(Map.of("#name", "name"));
                } else {
                    b.conditionExpression("#version = :expected")
                            .expressionAttributeNames(Map.of("#version", "version"))
                            .expressionAttributeValues(Map.of(":expected", AttributeValue.fromN(Long.toString(expectedVersion))));
                }
            });
            return true;
        } catch (ConditionalCheckFailedException e) {
            return false;
        } catch (SdkException e) {
            throw new LeaseStoreException("PutItem on " + table + " failed: " + e.getMessage(), e);
        }
    }

    /** The attributes of {@code item}, expiring at {@code ttl} (epoch seconds). */
    static Map<String, AttributeValue> toAttributes(LeaseItem item, long ttl) {
        return Map.of(
                "name", AttributeValue.fromS(item.name()),
                "holder", AttributeValue.fromS(item.holder()),
                "address", AttributeValue.fromS(item.address()),
                "epoch", AttributeValue.fromN(Long.toString(item.epoch())),
                "version", AttributeValue.fromN(Long.toString(item.version())),
                "released", AttributeValue.fromBool(item.released()),
                "ttl", AttributeValue.fromN(Long.toString(ttl)));
    }

    /**
     * The lease in a stored item.
     *
     * @throws LeaseStoreException an attribute is missing or of the wrong type: the item was not written by coscale
     */
    static LeaseItem fromAttributes(Map<String, AttributeValue> item) {
        try {
            AttributeValue released = item.get("released");
            return new LeaseItem(string(item, "name"), string(item, "holder"), string(item, "address"),
                    Long.parseLong(number(item, "epoch")), Long.parseLong(number(item, "version")),
                    released != null && Boolean.TRUE.equals(released.bool()));
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new LeaseStoreException("the lease item " + item + " is malformed: " + e.getMessage(), e);
        }
    }

    private static String string(Map<String, AttributeValue> item, String name) {
        AttributeValue value = item.get(name);
        return Objects.requireNonNull(value == null ? null : value.s(), name);
    }

    private static String number(Map<String, AttributeValue> item, String name) {
        AttributeValue value = item.get(name);
        return Objects.requireNonNull(value == null ? null : value.n(), name);
    }

    @Override
    public void close() {
        client.close();
    }
}
