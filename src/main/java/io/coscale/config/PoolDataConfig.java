package io.coscale.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.Optional;

/**
 * Pools as data: pools created, changed and deleted through {@code PUT} and {@code DELETE /v1/pools/{pool}}, kept in
 * the lease's store (its DynamoDB table, or memory in one process), and the naming convention those pools must keep
 * to, which the stack's IAM policy grants by prefix.
 */
@ConfigMapping(prefix = "coscale.pool-data")
public interface PoolDataConfig {

    /**
     * How often each replica asks the store whether a pool changed: one small GetItem; the pools are read again only
     * after a change. A change reaches every replica within about this long. Default 2s.
     */
    @WithDefault("2s")
    Duration pollInterval();

    /**
     * The prefix every API-defined pool's queue name must start with (its dead-letter queue's too, by the stack's
     * convention); the stack's {@code PoolQueuePrefix}. Default: none, any queue.
     */
    Optional<String> queuePrefix();

    /**
     * The prefix every API-defined pool's ECS service name must start with; the stack's {@code PoolServicePrefix}.
     * Default: none, any service.
     */
    Optional<String> servicePrefix();

    /** The ECS cluster every API-defined pool's service must run in (name); the stack's {@code PoolCluster}. Default: any. */
    Optional<String> cluster();
}
