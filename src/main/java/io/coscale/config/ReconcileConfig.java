package io.coscale.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** The reconciler: {@code coscale.reconcile.*}. */
@ConfigMapping(prefix = "coscale.reconcile")
public interface ReconcileConfig {

    /** How often every pool is reconciled (also once at start-up). Default 10s. */
    @WithDefault("10s")
    Duration interval();

    /**
     * How many DescribeServices calls, and separately how many queue-depth reads, one pass has in flight at once:
     * fewer than {@code coscale.control.ecs-threads} and {@code sqs-threads}, so that a pass over many pools leaves
     * threads free for claims, releases and enqueues. Default 8.
     */
    @WithDefault("8")
    int readsInFlight();
}
