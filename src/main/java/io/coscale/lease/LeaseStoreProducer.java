package io.coscale.lease;

import io.coscale.aws.DynamoDbTable;
import io.coscale.config.LeaseConfig;
import io.coscale.config.LocalConfig;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/**
 * The lease store {@code coscale.lease.store} names: in memory (one process) or DynamoDB. Local mode signs DynamoDB
 * calls with dummy credentials, as it does ECS calls, so that a local DynamoDB-compatible server can stand in.
 */
@Singleton
public class LeaseStoreProducer {

    @Produces
    @Singleton
    LeaseStore leaseStore(LeaseConfig config, LocalConfig local) {
        return switch (config.store()) {
            case MEMORY -> new MemoryLeaseStore();
            case DYNAMODB -> {
                DynamoDbLeaseStore store = DynamoDbLeaseStore.open(
                        DynamoDbTable.of(config, local, config.heartbeat()));
                if (config.createTable()) {
                    store.createTable();
                }
                yield store;
            }
        };
    }

    void close(@Disposes LeaseStore store) {
        store.close();
    }
}
