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
}
