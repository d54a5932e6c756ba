package io.coscale.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** What the status page's charts keep: one sample of each pool's figures every {@code sample-interval}. */
@ConfigMapping(prefix = "coscale.status")
public interface StatusConfig {

    /**
     * Gap between two samples of a pool's figures (desired, running, busy, queue and dead-letter depth), taken by the
     * leader only (a follower passes status reads to it). Queue and ECS figures come from the last reconcile or status
     * read, whichever is newer, so sampling spends neither SQS requests nor ECS's read budget of its own. Default 5s.
     */
    @WithDefault("5s")
    Duration sampleInterval();

    /**
     * How old the dead-letter queue's depth in a sample may be before the sample reads it again (one GetQueueAttributes
     * for the pool's queue, to find its redrive policy, and one for the dead-letter queue). This is what feeds the
     * {@code coscale_dead_letter_messages} gauge and the {@code dead-letter} events when nobody reads status: each read
     * is an SQS request billed per pool. Default 60s.
     */
    @WithDefault("60s")
    Duration deadLetterInterval();

    /** Samples kept per pool, in memory: 720 at 5 s is the last hour. Default 720. */
    @WithDefault("720")
    int samples();
}
