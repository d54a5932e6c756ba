package io.coscale.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** How the control plane paces itself. */
@ConfigMapping(prefix = "coscale.control")
public interface ControlConfig {

    /**
     * Gap between two scale-up UpdateService calls of one pool at the start of a burst. The first call goes
     * out at once; what arrives during the gap is merged into the next call. While the burst goes on the gap
     * doubles, up to {@code scale-up-spacing-max}; after a quiet spell of twice the gap it is back here. The same
     * calls carry the decrements of the pool's exits recorded by then, so these gaps pace them too. Default 100ms.
     */
    @WithDefault("100ms")
    Duration scaleUpSpacing();

    /**
     * Widest gap between two scale-up calls of one pool during a long burst, and so between two merged decrements of
     * its exits: the longest an exit waits after its record for its decrement, besides its budget token. Default 2s.
     */
    @WithDefault("2s")
    Duration scaleUpSpacingMax();

    /**
     * How long a DescribeTasks answer about a task is trusted for claim/release checks; in the second half of that
     * time a lookup still gets it at once and the task is asked about again in the background. Default 2s.
     */
    @WithDefault("2s")
    Duration taskCacheTtl();

    /**
     * How far ECS reads may lag behind writes (they are eventually consistent), and so: how long after start-up
     * coscale holds off lowering a count for a release (the worker is told to retry, 503), since a read just after a
     * restart might not yet show an exit recorded on a task, or a count set, by the coscale that was killed; how long
     * after its own UpdateService a DescribeServices answer may predate it (and is not believed); and how long a task
     * ECS says it does not know is asked about again before its claim or release is refused. Default 5s.
     */
    @WithDefault("5s")
    Duration exitSettle();

    /** Events kept per pool. Default 200. */
    @WithDefault("200")
    int eventsPerPool();

    /**
     * Threads that run the pools' serialized steps and the answers of their calls. Steps never block (a step waiting
     * for ECS, SQS or the UpdateService budget holds no thread), so a few serve thousands of pools. Default 4.
     */
    @WithDefault("4")
    int threads();

    /** Blocking ECS calls in flight at once, across pools (UpdateService, UpdateTaskProtection, reads). Default 16. */
    @WithDefault("16")
    int ecsThreads();

    /** Blocking SQS calls in flight at once, across pools (sends and queue reads). Default 16. */
    @WithDefault("16")
    int sqsThreads();
}
