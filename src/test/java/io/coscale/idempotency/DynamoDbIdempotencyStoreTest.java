package io.coscale.idempotency;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.coscale.aws.DynamoDbTable;
import io.coscale.lease.Dynalite;
import io.coscale.lease.DynamoDbLeaseStore;
import io.coscale.lease.LeaseItem;
import io.coscale.lease.LeaseStore;
import io.coscale.local.LocalCloud;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/** The DynamoDB store against dynalite on loopback, in the lease's table: the shared contract, and its items. */
class DynamoDbIdempotencyStoreTest extends IdempotencyStoreContract {

    @RegisterExtension
    static final Dynalite DYNALITE = new Dynalite();

    static final String TABLE = "coscale-lease";

    static DynamoDbLeaseStore lease;
    static DynamoDbIdempotencyStore store;
    static DynamoDbClient raw;

    @BeforeAll
    static void createTable() {
        lease = DynamoDbLeaseStore.open(settings(DYNALITE.endpoint()));
        lease.createTable();
        store = DynamoDbIdempotencyStore.open(settings(DYNALITE.endpoint()));
        raw = settings(DYNALITE.endpoint()).client();
    }

    @AfterAll
    static void close() {
        store.close();
        lease.close();
        raw.close();
    }

    static DynamoDbTable settings(URI endpoint) {
        return new DynamoDbTable(TABLE, Optional.of(endpoint), Optional.of("us-east-1"), true,
                Duration.ofSeconds(5));
    }

    @Override
    IdempotencyStore store() {
        return store;
    }

    @Test
    void theItemIsKeyedByPoolAndKeyAndExpiresByTtlInEpochSeconds() {
        IdempotencyRecord done = IdempotencyRecord.reserve(key, "fp", List.of("job-1"), T0, CLAIM, TTL)
                .done(202, "{\"jobId\":\"job-1\"}", T0.plusMillis(1500), TTL);
        store.create(done, T0).join();

        Map<String, AttributeValue> item = raw.getItem(b -> b.tableName(TABLE).consistentRead(true)
                .key(Map.of("name", AttributeValue.fromS("idem#demo#" + key.key())))).item();
        assertThat(item.get("state").s()).isEqualTo("DONE");
        assertThat(item.get("body").s()).isEqualTo("{\"jobId\":\"job-1\"}");
        assertThat(item.get("jobIds").l()).extracting(AttributeValue::s).containsExactly("job-1");
        // Rounded up, so that TTL never deletes an item before it expired.
        assertThat(Long.parseLong(item.get("ttl").n())).isEqualTo(T0.plusMillis(1500).plus(TTL).getEpochSecond() + 1);
    }

    @Test
    void theLeaseLivesBesideTheKeysInTheSameTable() {
        LeaseItem item = new LeaseItem("coscale-idem-test", "replica-a", "http://a", 1, 1);
        assertThat(lease.write(item, LeaseStore.ABSENT)).isTrue();
        store.create(IdempotencyRecord.reserve(key, "fp", List.of("job-1"), T0, CLAIM, TTL), T0).join();
        assertThat(lease.read("coscale-idem-test")).contains(item);
    }

    @Test
    void anUnreachableTableFailsTheFutureNotTheCaller() {
        try (DynamoDbIdempotencyStore down = DynamoDbIdempotencyStore.open(
                settings(URI.create("http://127.0.0.1:" + LocalCloud.freePort())))) {
            var reservation = IdempotencyRecord.reserve(key, "fp", List.of("job-1"), T0, CLAIM, TTL);
            var future = down.create(reservation, T0);
            assertThatThrownBy(future::join).isInstanceOf(CompletionException.class)
                    .hasCauseInstanceOf(IdempotencyStoreException.class);
            assertThatThrownBy(() -> down.find(key, T0).join()).hasCauseInstanceOf(IdempotencyStoreException.class);
        }
    }
}
