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

    /**
     * Where the local cloud runs: {@code embedded} starts it in this process (the dev and local profiles);
     * {@code external} uses one already running on the ports below, started by the {@code cloud} profile (the
     * {@code attached} profile), so that coscale can be killed and restarted while the cloud lives on.
     * Default embedded.
     */
    @WithDefault("embedded")
    String cloud();

    /**
     * This process runs only the local cloud (the {@code cloud} profile): no pools, and coscale's own API
     * answers 404. Default false.
     */
    @WithDefault("false")
    boolean cloudOnly();

    /**
     * coscale's URL as the local cloud's workers call it. Default: this process's own HTTP port, or
     * {@code http://127.0.0.1:8080} when the process runs only the cloud.
     */
    Optional<String> coscaleUrl();

    /**
     * Whether SQS clients reach ElasticMQ through the fault-injecting proxy (on {@code sqs-port}, ElasticMQ then
     * behind it on a free port), so that SQS faults can be injected. Default false; true in the cloud profile.
     */
    @WithDefault("false")
    boolean sqsProxy();

    /**
     * A file to which the local cloud appends every distinct AWS call it serves, as IAM would authorize it on AWS (who
     * signed it, action, resource ARN, condition keys), one JSON line each; SQS calls are seen by the fault proxy,
     * which is then on whatever {@code sqs-proxy} says. Tests hold the calls against the deployment templates'
     * policies. Unset by default: nothing is kept.
     */
    Optional<String> awsCallLog();

    /** Port of the SQS endpoint on 127.0.0.1 (ElasticMQ, or the fault proxy in front of it). Default 9324. */
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

    /** Faults the local cloud injects from start-up; {@code PUT /local/v1/faults} changes them at run time. */
    Faults faults();

    /** Faults at start-up; every one is off by default. */
    interface Faults {

        /** Latency added to every ECS API call. Default 0. */
        @WithDefault("0s")
        Duration ecsLatency();

        /** Share of ECS calls answered with an error before the action runs (nothing changes). Default 0. */
        @WithDefault("0")
        double ecsErrorRate();

        /** The ECS error type of those: ServerException (500) or ThrottlingException (400). Default ServerException. */
        @WithDefault("ServerException")
        String ecsErrorType();

        /** Share of ECS calls answered with a 500 after the action ran (the change happened). Default 0. */
        @WithDefault("0")
        double ecsAfterApplyErrorRate();

        /** Share of ECS calls whose connection is dropped, unanswered, after the action ran. Default 0. */
        @WithDefault("0")
        double ecsAfterApplyDropRate();

        /** How stale DescribeServices and DescribeTasks answers may be after a change. Default 0 (consistent). */
        @WithDefault("0s")
        Duration ecsStaleReads();

        /** Injected task deaths per minute per cluster (a crash, an OOM kill). Default 0. */
        @WithDefault("0")
        double taskDeathsPerMinute();

        /** Latency added to every SQS call (needs {@code sqs-proxy}). Default 0. */
        @WithDefault("0s")
        Duration sqsLatency();

        /** Share of SQS calls answered 500 without reaching SQS (needs {@code sqs-proxy}). Default 0. */
        @WithDefault("0")
        double sqsErrorRate();

        /** Share of SQS calls whose connection is dropped after SQS handled them (needs {@code sqs-proxy}). Default 0. */
        @WithDefault("0")
        double sqsResetRate();
    }
}
