package io.coscale.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** What the status page's charts keep: one sample of each pool's figures every {@code sample-interval}. */
@ConfigMapping(prefix = "coscale.status")
public interface StatusConfig {

    /**
     * Gap between two samples of a pool's figures (desired, running, busy, queue and dead-letter depth). Each sample
     * reads the queues again when their figures are older than this; ECS figures come from the last reconcile or
     * status read, so sampling spends none of ECS's read budget. Default 5s.
     */
    @WithDefault("5s")
    Duration sampleInterval();

    /** Samples kept per pool, in memory: 720 at 5 s is the last hour. Default 720. */
    @WithDefault("720")
    int samples();
}
