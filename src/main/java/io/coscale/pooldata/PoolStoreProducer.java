package io.coscale.pooldata;

import io.coscale.aws.DynamoDbTable;
import io.coscale.config.LeaseConfig;
import io.coscale.config.LocalConfig;
import io.coscale.lease.LeaseStore;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.time.Duration;

/**
 * The pool store beside the lease: in memory when the lease is (one process), in the lease's DynamoDB table when it is
 * there (replicas, which must see one set of pools). One setting, so the two cannot disagree.
 */
@Singleton
public class PoolStoreProducer {

    /** The longest one DynamoDB call of the pool store may take. */
    static final Duration CALL_TIMEOUT = Duration.ofSeconds(5);

    /** The store. {@code lease} is asked for so that the lease store exists first: it creates the shared table when told to. */
    @Produces
    @Singleton
    PoolStore poolStore(LeaseConfig config, LocalConfig local, LeaseStore lease) {
        return switch (config.store()) {
            case MEMORY -> new MemoryPoolStore();
            case DYNAMODB -> DynamoDbPoolStore.open(DynamoDbTable.of(config, local, CALL_TIMEOUT));
        };
    }

    void close(@Disposes PoolStore store) {
        store.close();
    }
}
