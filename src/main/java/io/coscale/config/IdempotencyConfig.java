package io.coscale.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/**
 * Retry-safe submissions with an {@code Idempotency-Key} header: {@code coscale.idempotency.*}. The records live
 * where the lease does ({@code coscale.lease.store}): in memory for one process, in the lease's DynamoDB table for
 * replicas, which must all see the same keys.
 */
@ConfigMapping(prefix = "coscale.idempotency")
public interface IdempotencyConfig {

    /** How long a key is remembered after its submission was accepted: a repeat within it enqueues nothing. Default 24h. */
    @WithDefault("24h")
    Duration ttl();

    /**
     * How long a request holds a key it is sending for: a repeat meanwhile is 409; after it (the replica died
     * mid-request) a repeat takes the key over and sends again with the same job ids. Longer than a send may take.
     * Default 30s.
     */
    @WithDefault("30s")
    Duration claim();

    /** The most keys the in-memory store holds (local mode); past it, with none expired, a new key is 503. Default 100000. */
    @WithDefault("100000")
    int memoryMaxKeys();
}
