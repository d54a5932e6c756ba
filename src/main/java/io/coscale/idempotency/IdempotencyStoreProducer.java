package io.coscale.idempotency;

import io.coscale.aws.DynamoDbTable;
import io.coscale.config.IdempotencyConfig;
import io.coscale.config.LeaseConfig;
import io.coscale.config.LocalConfig;
import io.coscale.lease.LeaseStore;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.time.Duration;

/**
 * The idempotency store beside the lease: in memory when the lease is (one process), in the lease's DynamoDB table
 * when it is there (replicas, which must share their keys: a store per replica would let a repeat that reaches
 * another replica enqueue again). One setting, so the two cannot disagree.
 */
@Singleton
public class IdempotencyStoreProducer {

    /** The longest one DynamoDB call of a submission may take. */
    static final Duration CALL_TIMEOUT = Duration.ofSeconds(2);

    /**
     * The store. {@code lease} is asked for so that the lease store exists first: it creates the shared table when
     * {@code coscale.lease.create-table} is set.
     */
    @Produces
    @Singleton
    IdempotencyStore idempotencyStore(LeaseConfig config, LocalConfig local, IdempotencyConfig idempotency,
            LeaseStore lease) {
        return switch (config.store()) {
            case MEMORY -> new MemoryIdempotencyStore(idempotency.memoryMaxKeys());
            case DYNAMODB -> DynamoDbIdempotencyStore.open(DynamoDbTable.of(config, local, CALL_TIMEOUT));
        };
    }

    void close(@Disposes IdempotencyStore store) {
        store.close();
    }
}
