package io.coscale.pooldata;

import static org.assertj.core.api.Assertions.assertThat;

import io.coscale.aws.DynamoDbTable;
import io.coscale.lease.Dynalite;
import io.coscale.lease.DynamoDbLeaseStore;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The pool store on dynalite, in a lease table of its own per test, beside the lease and other items. */
class DynamoDbPoolStoreTest extends PoolStoreContract {

    @RegisterExtension
    static final Dynalite DYNALITE = new Dynalite();

    @Override
    PoolStore store() {
        DynamoDbTable table = new DynamoDbTable("coscale-" + UUID.randomUUID(), Optional.of(DYNALITE.endpoint()),
                Optional.of("us-east-1"), true, Duration.ofSeconds(5));
        DynamoDbLeaseStore.open(table).createTable();
        return DynamoDbPoolStore.open(table);
    }

    @Test
    void aPollCostsHalfAReadUnitWhateverThePoolsAndTheOtherItemsOfTheTable() {
        DynamoDbPoolStore store = (DynamoDbPoolStore) store();
        String definition = "{\"cluster\":\"workers\",\"service\":\"coscale-pool-0000\",\"queue-url\":"
                + "\"https://sqs.us-east-1.amazonaws.com/123456789012/coscale-pool-0000\",\"min-tasks\":0,\"max-tasks\":20,"
                + "\"mode\":\"protect\",\"messages-per-task\":1,\"protection-minutes\":120,\"scale-in-idle\":\"PT1M\"}";
        for (int i = 0; i < 200; i++) {
            store.write(String.format(Locale.ROOT, "pool-%04d", i), definition, StoredPool.Origin.API, false, PoolStore.ABSENT);
        }
        int polls = 100;
        double before = store.readUnits();
        for (int i = 0; i < polls; i++) {
            store.changes();
        }
        double perPoll = (store.readUnits() - before) / polls;
        double scanBefore = store.readUnits();
        assertThat(store.all()).hasSize(200);
        double scan = store.readUnits() - scanBefore;

        // One poll every 2 s (coscale.pool-data.poll-interval) is 1,800 an hour.
        System.out.printf(Locale.ROOT, "pool store poll: %.2f read units per poll, %.0f per replica per hour at one poll"
                + " every 2 s; reading all 200 pools after a change: %.1f read units%n", perPoll, perPoll * 1800, scan);
        assertThat(perPoll).isEqualTo(0.5);
    }
}
