package io.coscale.lease;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.coscale.aws.DynamoDbTable;
import io.coscale.local.LocalCloud;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.dynamodb.model.TableDescription;

/** The DynamoDB lease store against dynalite on loopback: the item contract, conditional writes, two keepers. */
class DynamoDbLeaseStoreTest {

    @RegisterExtension
    static final Dynalite DYNALITE = new Dynalite();

    static final String TABLE = "coscale-lease";

    static DynamoDbLeaseStore store;
    static DynamoDbClient raw;

    @BeforeAll
    static void createTable() {
        store = open(DYNALITE.endpoint());
        store.createTable();
        raw = DynamoDbClient.builder().endpointOverride(DYNALITE.endpoint()).region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local")))
                .httpClient(UrlConnectionHttpClient.create()).build();
    }

    @AfterAll
    static void close() {
        store.close();
        raw.close();
    }

    static DynamoDbLeaseStore open(URI endpoint) {
        return DynamoDbLeaseStore.open(new DynamoDbTable(TABLE, Optional.of(endpoint),
                Optional.of("us-east-1"), true, Duration.ofSeconds(2)));
    }

    @Test
    void theTableHasThePartitionKeyNameOfTypeStringAndCreatingItAgainIsHarmless() {
        store.createTable();
        TableDescription table = raw.describeTable(b -> b.tableName(TABLE)).table();
        assertThat(table.keySchema()).singleElement()
                .satisfies(k -> assertThat(List.of(k.attributeName(), k.keyType())).containsExactly("name", KeyType.HASH));
        assertThat(table.attributeDefinitions()).singleElement()
                .satisfies(a -> assertThat(List.of(a.attributeName(), a.attributeType()))
                        .containsExactly("name", ScalarAttributeType.S));
    }

    @Test
    void theFirstWriteCreatesTheItemWithEveryAttributeOfTheContract() {
        assertThat(store.read("first")).isEmpty();
        LeaseItem item = new LeaseItem("first", "a", "http://10.0.0.1:8080", 1, 1);
        assertThat(store.write(item, LeaseStore.ABSENT)).isTrue();
        assertThat(store.read("first")).contains(item);
        assertThat(store.write(new LeaseItem("first", "b", "http://b", 1, 1), LeaseStore.ABSENT))
                .as("a second first write").isFalse();

        Map<String, AttributeValue> stored = raw.getItem(b -> b.tableName(TABLE).consistentRead(true)
                .key(Map.of("name", AttributeValue.fromS("first")))).item();
        assertThat(stored).containsOnlyKeys("name", "holder", "address", "epoch", "version", "released", "ttl");
        assertThat(stored.get("released").bool()).isFalse();
        assertThat(stored.get("holder").s()).isEqualTo("a");
        assertThat(stored.get("address").s()).isEqualTo("http://10.0.0.1:8080");
        assertThat(stored.get("epoch").n()).isEqualTo("1");
        assertThat(stored.get("version").n()).isEqualTo("1");
        long dayAhead = Instant.now().plus(Duration.ofDays(1)).getEpochSecond();
        assertThat(Long.parseLong(stored.get("ttl").n())).isBetween(dayAhead - 60, dayAhead + 1);
    }

    @Test
    void aWriteOnAStaleVersionIsRefusedAndChangesNothing() {
        store.write(new LeaseItem("stale", "a", "http://a", 1, 1), LeaseStore.ABSENT);
        LeaseItem renewed = new LeaseItem("stale", "a", "http://a", 1, 2);
        assertThat(store.write(renewed, 1)).isTrue();
        assertThat(store.write(new LeaseItem("stale", "b", "http://b", 2, 2), 1)).isFalse();
        assertThat(store.write(new LeaseItem("stale", "b", "http://b", 2, 4), 3)).isFalse();
        assertThat(store.read("stale")).contains(renewed);
    }

    @Test
    void aReleasedItemReadsBackReleasedAndAnItemFromBeforeReleasesExistedReadsAsHeld() {
        store.write(new LeaseItem("released", "a", "http://a", 4, 9), LeaseStore.ABSENT);
        LeaseItem released = new LeaseItem("released", "a", "http://a", 4, 10, true);
        assertThat(store.write(released, 9)).isTrue();
        assertThat(store.read("released")).contains(released);

        raw.putItem(b -> b.tableName(TABLE).item(Map.of("name", AttributeValue.fromS("older"),
                "holder", AttributeValue.fromS("a"), "address", AttributeValue.fromS("http://a"),
                "epoch", AttributeValue.fromN("2"), "version", AttributeValue.fromN("7"))));
        assertThat(store.read("older")).contains(new LeaseItem("older", "a", "http://a", 2, 7, false));
    }

    @Test
    void anItemNotWrittenByCoscaleIsAnErrorNotALease() {
        raw.putItem(b -> b.tableName(TABLE).item(Map.of("name", AttributeValue.fromS("odd"),
                "holder", AttributeValue.fromS("x"))));
        assertThatThrownBy(() -> store.read("odd")).isInstanceOf(LeaseStoreException.class)
                .hasMessageContaining("malformed");
    }

    @Test
    void anUnreachableStoreIsALeaseStoreException() {
        try (DynamoDbLeaseStore nowhere = open(URI.create("http://127.0.0.1:" + LocalCloud.freePort()))) {
            assertThatThrownBy(() -> nowhere.read("x")).isInstanceOf(LeaseStoreException.class);
            assertThatThrownBy(() -> nowhere.write(new LeaseItem("x", "a", "b", 1, 1), 0))
                    .isInstanceOf(LeaseStoreException.class);
        }
    }

    /** Duration 1 s, margin 100 ms, heartbeat 200 ms, real clocks and threads. */
    @Test
    void twoKeepersElectOneAndTheOtherTakesOverAtItsNextHeartbeatWhenTheLeaderStopsAndHandsOver() {
        LeaseKeeper a = keeper("a");
        LeaseKeeper b = keeper("b");
        AtomicBoolean twoLeaders = new AtomicBoolean();
        Thread watch = new Thread(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                if (a.isLeader() && b.isLeader()) {
                    twoLeaders.set(true);
                }
                LockSupport.parkNanos(1_000_000);
            }
        }, "two-leaders-watch");
        watch.setDaemon(true);
        watch.start();
        a.start();
        b.start();
        try {
            await().atMost(Duration.ofSeconds(10)).until(() -> a.isLeader() || b.isLeader());
            LeaseKeeper leader = a.isLeader() ? a : b;
            LeaseKeeper other = leader == a ? b : a;
            await().atMost(Duration.ofSeconds(5)).until(() -> other.leaderId().equals(Optional.of(leader.selfId())));
            long epoch = leader.epoch();
            assertThat(other.epoch()).isEqualTo(epoch);

            leader.stop();
            long stopped = System.nanoTime();
            await().atMost(Duration.ofSeconds(10)).until(other::isLeader);
            Duration took = Duration.ofNanos(System.nanoTime() - stopped);
            // The stopped leader released the lease: the other took it at its next heartbeat (200 ms), well before
            // the duration + margin (1.1 s) it would have waited for a leader that died.
            assertThat(took).isLessThan(Duration.ofMillis(1_000));
            assertThat(other.epoch()).isEqualTo(epoch + 1);
            assertThat(store.read("two").map(LeaseItem::holder)).contains(other.selfId());
            assertThat(leader.isLeader()).isFalse();
            assertThatThrownBy(leader::checkWrite).isInstanceOf(NotLeaderException.class);
        } finally {
            a.stop();
            b.stop();
            watch.interrupt();
        }
        assertThat(twoLeaders).as("a and b led at once").isFalse();
    }

    LeaseKeeper keeper(String id) {
        LeaseRules rules = new LeaseRules("two", id, "http://" + id, Duration.ofSeconds(1), Duration.ofMillis(100));
        return new LeaseKeeper(store, rules, System::nanoTime, change -> { }, Duration.ofMillis(200),
                new SimpleMeterRegistry());
    }
}
