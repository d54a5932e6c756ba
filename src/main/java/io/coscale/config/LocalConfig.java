package io.coscale.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.Optional;

/** The embedded local cloud: an SQS server and an ECS emulator on loopback, with a demo pool. */
@ConfigMapping(prefix = "coscale.local")
public interface LocalConfig {

    /** Whether coscale starts the embedded SQS server and ECS emulator. Default false; true in the dev and local profiles. */
    @WithDefault("false")
    boolean enabled();

    /** Port of the embedded SQS server (ElasticMQ) on 127.0.0.1. Default 9324. */
    @WithDefault("9324")
    int sqsPort();

    /** Port of the ECS emulator (ECS JSON 1.1 API and task metadata endpoints) on 127.0.0.1. Default 9325. */
    @WithDefault("9325")
    int ecsPort();

    /** How many tasks may be RUNNING at once in each emulated cluster; the rest wait PENDING. Default 4. */
    @WithDefault("4")
    int clusterCapacity();

    /** How long a placed task stays PENDING before it may run (image pull, ENI attach). Default 1s. */
    @WithDefault("1s")
    Duration taskStartDelay();

    /**
     * How long after a task's workload exits by itself the emulated ECS learns of it, as the ECS agent
     * reports late. Meanwhile a scale-in may pick any task ECS still thinks RUNNING. Default 1s.
     */
    @WithDefault("1s")
    Duration taskExitReportDelay();

    /** How often the emulator's service scheduler runs. Default 100ms. */
    @WithDefault("100ms")
    Duration schedulerInterval();

    /**
     * Shell command run as an OS process for each task, in any language. Unset (the default): tasks run the
     * in-JVM reference worker, one thread per task.
     */
    Optional<String> workerCommand();

    /** Visibility timeout of the demo queue: how long an interrupted job stays invisible before SQS redelivers it. Default 30s. */
    @WithDefault("30s")
    Duration demoVisibilityTimeout();

    /** How long the reference worker long-polls for its first job (whole seconds, 0..20). Default 2s. */
    @WithDefault("2s")
    Duration workerFirstWait();

    /**
     * How long the reference worker waits between receiving a message and claiming it, in milliseconds:
     * {@code "min-max"} (a random wait in that range, e.g. {@code "200-1500"}) or one number. Models slow
     * workers, which hold a message coscale does not know of yet. Default "0".
     */
    @WithDefault("0")
    String workerClaimDelay();

    /** Whether the demo cluster, task definition, service and queues are created at start-up. Default true. */
    @WithDefault("true")
    boolean createDemo();
}
