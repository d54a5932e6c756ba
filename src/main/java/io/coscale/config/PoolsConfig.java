package io.coscale.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithParentName;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/** The pools coscale manages: {@code coscale.pools.<name>.*}, one ECS service and one SQS queue each. */
@ConfigMapping(prefix = "coscale.pools")
public interface PoolsConfig {

    /** Pools by name. */
    @WithParentName
    Map<String, PoolConfig> pools();

    interface PoolConfig {

        /** The ECS cluster (name or ARN). Required. */
        String cluster();

        /** The ECS service of the workers (name). Required. */
        String service();

        /** The pool's SQS queue URL; either this or {@code queue-name}. */
        Optional<String> queueUrl();

        /** The pool's SQS queue name, resolved to its URL at start-up; either this or {@code queue-url}. */
        Optional<String> queueName();

        /** Fewest tasks: warm capacity kept even with an empty queue. Default 0. */
        @WithDefault("0")
        int minTasks();

        /** Most tasks coscale ever asks for. Required. */
        int maxTasks();

        /** {@code protect} (busy tasks hold ECS scale-in protection) or {@code cooperative}. Default protect. */
        @WithDefault("protect")
        String mode();

        /** Jobs one task works at a time. Default 1. */
        @WithDefault("1")
        int messagesPerTask();

        /** How long one claim protects a task, 1..2880 minutes. Default 120. */
        @WithDefault("120")
        int protectionMinutes();

        /** How long the queue must stay empty before the reconciler lowers desiredCount in protect mode. Default 60s. */
        @WithDefault("60s")
        Duration scaleInIdle();
    }
}
