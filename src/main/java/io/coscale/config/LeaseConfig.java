package io.coscale.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.net.URI;
import java.time.Duration;
import java.util.Optional;

/**
 * The lease that makes one replica of several the only writer of ECS (high availability). The rules are
 * {@code io.coscale.lease.LeaseRules}; {@code duration} must leave room for two heartbeats inside the lease after
 * both margins ({@code 2 × heartbeat ≤ duration − 2 × margin}), checked at start-up.
 */
@ConfigMapping(prefix = "coscale.lease")
public interface LeaseConfig {

    /** Where the lease lives. */
    enum Store {
        /** In this process only: one replica, leader after its first heartbeat (local mode, tests). */
        MEMORY,
        /** An item in a DynamoDB table, written with conditional PutItem calls (two or more replicas). */
        DYNAMODB
    }

    /** {@code memory} or {@code dynamodb}. Default memory. */
    @WithDefault("memory")
    Store store();

    /** The DynamoDB table (partition key {@code name}, type S; no sort key). Default coscale-lease. */
    @WithDefault("coscale-lease")
    String table();

    /** The lease item's key: replicas that share it elect one leader. Default coscale. */
    @WithDefault("coscale")
    String name();

    /**
     * How long a lease item that nobody rewrites stays valid: a follower takes over once the item has not changed
     * for this long (plus {@code margin}) by its own clock, so a takeover comes at most {@code duration + margin +
     * 2 × heartbeat} after the holder's last write (8 s by default). Default 5s.
     */
    @WithDefault("5s")
    Duration duration();

    /** How often the holder renews, and a follower reads, the lease. Default 1s. */
    @WithDefault("1s")
    Duration heartbeat();

    /**
     * Slack on both sides of {@code duration}: the holder counts itself leader until {@code duration − margin}
     * after its last successful write started, a follower waits {@code duration + margin}, and
     * {@code Leadership.checkWrite()} refuses a write with less than this much lease left. Default 1s.
     */
    @WithDefault("1s")
    Duration margin();

    /** The DynamoDB client. */
    DynamoDb dynamodb();

    /**
     * Whether coscale creates the table (on-demand capacity) when it does not exist, and waits until it is ACTIVE.
     * For local work and tests only: production creates the table, with its TTL on {@code ttl}, in CloudFormation.
     * Default false.
     */
    @WithDefault("false")
    boolean createTable();

    /** This replica's id in the lease item. Default: the host name and a short random suffix, new at every start. */
    Optional<String> replicaId();

    /**
     * The URL other replicas reach this one at. Default: on ECS, {@code http://<the task's IPv4 address>:<HTTP
     * port>} from the task metadata endpoint; elsewhere {@code http://<host name>:<HTTP port>}.
     */
    Optional<String> advertiseUrl();

    /** The DynamoDB client of the lease. */
    interface DynamoDb {

        /** Endpoint of the DynamoDB API; unset (the default) means the Region's real endpoint. */
        Optional<URI> endpointOverride();

        /** Region of the DynamoDB client; unset (the default) means the AWS default chain (AWS_REGION on ECS). */
        Optional<String> region();
    }
}
