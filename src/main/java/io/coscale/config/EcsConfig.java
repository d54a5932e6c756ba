package io.coscale.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.net.URI;
import java.time.Duration;
import java.util.Optional;

/** The ECS client and the budget coscale keeps for ECS's API. */
@ConfigMapping(prefix = "coscale.ecs")
public interface EcsConfig {

    /** The default of {@link #callTimeout()}. */
    String DEFAULT_CALL_TIMEOUT = "1500ms";

    /** Endpoint of the ECS API; unset (the default) means the Region's real endpoint. Local mode points it at the emulator. */
    Optional<URI> endpointOverride();

    /** Region of the ECS client; unset (the default) means the AWS default chain (AWS_REGION on ECS). */
    Optional<String> region();

    /**
     * The longest one ECS API call may take, connecting included: then it is abandoned (and, a write, not retried once
     * the lease is gone). At most twice {@code coscale.lease.margin}, checked at start-up, so that a write checked
     * against the lease ends before another replica can take it over. Default 1500ms (with the default 1 s margin).
     */
    @WithDefault(DEFAULT_CALL_TIMEOUT)
    Duration callTimeout();

    /** The UpdateService budget shared by all pools (ECS's own account limit is 50 burst, 5 per second). */
    UpdateService updateService();

    /**
     * The budget for ECS's "cluster resource read actions" (DescribeTasks and ListTasks among them), which share one
     * bucket per account and Region: 100 burst, 20 per second as AWS documents it ("Request throttling for the Amazon
     * ECS API"). coscale keeps below that, leaving some for other callers in the account.
     */
    TaskReads taskReads();

    interface TaskReads {

        /** Calls that may go out at once. Default 50. */
        @WithDefault("50")
        int burst();

        /** Sustained calls per second. Default 15. */
        @WithDefault("15")
        double ratePerSecond();

        /**
         * Tokens the protection take-over leaves for claims' DescribeTasks: it reads only while the budget holds more.
         * Default 25; below {@link #burst()}.
         */
        @WithDefault("25")
        int takeoverReserve();

        /**
         * How long the take-over's next read waits, with none served, while claims hold the budget at or below the
         * reserve: then it reads anyway, with a token below the reserve (never one the budget does not have), so that
         * claims alone cannot stop the take-over. Default 1s: one read a second at the least, so that 1,000 starved
         * pools are taken over in about 17 minutes, within the quarter of a protection (30 of the default 120 minutes)
         * left when renewal is due; it costs claims at most one token a second of the budget's 15.
         */
        @WithDefault("1s")
        Duration takeoverMaxWait();

        /**
         * How the take-over reads which tasks ECS protects: {@code auto} (the default) picks, each time, whichever
         * costs fewer task reads: one sweep of the whole cluster for the pools due in it (ListTasks and DescribeTasks
         * per 100 of its tasks), or a ListTasks of each due pool's service; {@code cluster} and {@code service} always
         * take the one named.
         */
        @WithDefault("auto")
        TakeoverBy takeoverBy();

        /**
         * The take-over's GetTaskProtection calls (10 tasks each) a second. ECS meters them with UpdateTaskProtection
         * (200 burst, 80 a second), which claims, renewals and releases need: the take-over keeps to half. Default 40.
         */
        @WithDefault("40")
        double protectionReadsPerSecond();

        /** The take-over's GetTaskProtection calls that may go out at once. Default 50. */
        @WithDefault("50")
        int protectionReadsBurst();
    }

    /** How the protection take-over finds a pool's tasks ({@link TaskReads#takeoverBy()}). */
    enum TakeoverBy {
        /** Whichever costs fewer task reads for the pools due in a cluster. */
        AUTO,
        /** One sweep of the cluster's tasks for every pool due in it. */
        CLUSTER,
        /** A ListTasks of each due pool's service. */
        SERVICE
    }

    /**
     * The budget for ECS's TagResource, with which coscale records a task's exit: ECS's own limit is 20 burst, 10 per
     * second per account and Region. The defaults keep a margin below it (19 burst, 9 a second): ECS's bucket and
     * coscale's are not refilled at the same instants, so a budget of exactly ECS's size lets a call reach ECS a
     * little before ECS's token is back, and it is throttled (then retried, a token spent for nothing). The margin
     * costs a tenth of the rate: a mass exit's last record lands (n − 19) / 9 s after the first instead of
     * (n − 20) / 10 s (200 exits: 20 s instead of 18 s).
     */
    Tags tags();

    interface Tags {

        /** Calls that may go out at once. Default 19 (ECS: 20). */
        @WithDefault("19")
        int burst();

        /** Sustained calls per second. Default 9 (ECS: 10). */
        @WithDefault("9")
        double ratePerSecond();
    }

    interface UpdateService {

        /** Calls that may go out at once. Default 50. */
        @WithDefault("50")
        int burst();

        /** Sustained calls per second. Default 5. */
        @WithDefault("5")
        double ratePerSecond();
    }
}
