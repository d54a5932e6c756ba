package io.coscale.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** A replica's warm-up before it reports ready (see {@code io.coscale.api.WarmUp}). */
@ConfigMapping(prefix = "coscale.warm-up")
public interface WarmUpConfig {

    /**
     * How long a replica runs its submission path on synthetic jobs after start, before it reports ready: the load
     * balancer sends it nothing until then, so the JIT compiles the hot path on them instead of on the first minute of
     * real traffic. It ends sooner on a failure. 0 turns it off (as the dev, local and test profiles do). Start-up
     * time grows by as much: the health check's grace period must cover both. Default 20s.
     */
    @WithDefault("20s")
    Duration duration();
}
