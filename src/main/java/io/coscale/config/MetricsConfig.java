package io.coscale.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/**
 * CloudWatch metrics through the embedded metric format: coscale writes one JSON line per interval to standard output,
 * which the awslogs driver sends to CloudWatch Logs, and CloudWatch extracts the metrics from it. No API call and no
 * permission: what the deployment uses in place of a Prometheus scrape, which cannot reach the replicas as deployed.
 */
@ConfigMapping(prefix = "coscale.metrics.emf")
public interface MetricsConfig {

    /** Whether the lines are written. Default false; coscale.yaml sets it. */
    @WithDefault("false")
    boolean enabled();

    /** The CloudWatch namespace of the metrics; coscale.yaml sets {@code coscale/<stack name>}. Default coscale. */
    @WithDefault("coscale")
    String namespace();

    /** How often the lines are written: CloudWatch's standard resolution is one minute. Default 60s. */
    @WithDefault("60s")
    Duration interval();
}
