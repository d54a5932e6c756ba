package io.coscale.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Job submission: {@code coscale.jobs.*}. */
@ConfigMapping(prefix = "coscale.jobs")
public interface JobsConfig {

    /** Largest accepted payload in bytes (its SQS message body), at most 1 MiB. Default 262144 (256 KiB). */
    @WithDefault("262144")
    int maxPayloadBytes();
}
