package io.coscale.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** How the control plane paces itself. */
@ConfigMapping(prefix = "coscale.control")
public interface ControlConfig {

    /**
     * Shortest gap between two scale-up UpdateService calls of one pool. The first call of a burst goes out
     * at once; what arrives during the gap is merged into the next call. Default 100ms.
     */
    @WithDefault("100ms")
    Duration scaleUpSpacing();

    /** How long a DescribeTasks answer about a task is trusted for claim/release checks. Default 2s. */
    @WithDefault("2s")
    Duration taskCacheTtl();

    /** Events kept per pool. Default 200. */
    @WithDefault("200")
    int eventsPerPool();

    /** Threads shared by all pools' serial executors (ECS and SQS calls block). Default 16. */
    @WithDefault("16")
    int threads();
}
