package io.coscale.metrics;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;

/**
 * CloudWatch embedded metric format (EMF) lines, as AWS specifies it ("Specification: Embedded metric format"): one JSON
 * object per line whose {@code _aws} member names the namespace, the dimension sets and the metrics, and whose top-level
 * members hold the dimension values and the metric values. Pure: values in, a line out.
 */
public final class EmfLines {

    /** Whether this replica holds the lease: 1 or 0, from every replica (no dimension). */
    public static final String LEADER = "Leader";
    /** Pools whose last reconcile failed, from the leader (no dimension): what the unhealthy-pools alarm reads. */
    public static final String UNHEALTHY_POOLS = "UnhealthyPools";
    /** Jobs in all pools' dead-letter queues, from the leader (no dimension). */
    public static final String DEAD_LETTER_MESSAGES_TOTAL = "DeadLetterMessagesTotal";
    /** Per pool (dimension {@link #POOL}), from the leader: 1 healthy, 0 failing. */
    public static final String POOL_HEALTHY = "PoolHealthy";
    /** Per pool: the desiredCount coscale set or read. */
    public static final String DESIRED_TASKS = "DesiredTasks";
    /** Per pool: messages visible on the queue. */
    public static final String QUEUE_VISIBLE = "QueueVisible";
    /** Per pool: jobs in its dead-letter queue (absent for a pool without one). */
    public static final String DEAD_LETTER_MESSAGES = "DeadLetterMessages";
    /** Per pool: release decisions answered during the interval, one metric per kind. */
    public static final String RELEASE_EXIT = "ReleaseExit";
    public static final String RELEASE_CONTINUE = "ReleaseContinue";
    public static final String RELEASE_STAY = "ReleaseStay";
    /** The dimension of per-pool metrics. */
    public static final String POOL = "Pool";

    private static final ObjectMapper JSON = new ObjectMapper();

    private EmfLines() {
    }

    /**
     * One EMF line.
     *
     * @param dimensions dimension name to value (empty: the metrics have no dimension)
     * @param metrics metric name to value, in the order to write them; NaN values are left out, as EMF allows no NaN
     * @param counts the names among {@code metrics} that are counts (unit Count); the rest have unit None
     */
    public static String line(String namespace, long timestampMillis, Map<String, String> dimensions,
            Map<String, Double> metrics, java.util.Set<String> counts) {
        ObjectNode root = JSON.createObjectNode();
        ObjectNode aws = root.putObject("_aws");
        aws.put("Timestamp", timestampMillis);
        ObjectNode directive = aws.putArray("CloudWatchMetrics").addObject();
        directive.put("Namespace", namespace);
        ArrayNode dimensionSet = directive.putArray("Dimensions").addArray();
        dimensions.keySet().forEach(dimensionSet::add);
        ArrayNode definitions = directive.putArray("Metrics");
        dimensions.forEach(root::put);
        metrics.forEach((name, value) -> {
            if (value == null || value.isNaN()) {
                return;
            }
            definitions.addObject().put("Name", name).put("Unit", counts.contains(name) ? "Count" : "None");
            root.put(name, value);
        });
        return root.toString();
    }
}
