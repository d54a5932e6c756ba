package io.coscale.control;

import io.coscale.aws.QueueGateway;
import io.coscale.config.PoolsConfig;
import io.coscale.domain.Arns;
import io.coscale.domain.Mode;
import io.coscale.domain.Pool;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns {@code coscale.pools.*} into validated pools; every error names the key to fix. Two pools may not
 * name one ECS service: each would write its own desiredCount over the other's and count the same exits.
 */
final class PoolLoader {

    private PoolLoader() {
    }

    static List<Pool> load(PoolsConfig config, QueueGateway queues) {
        List<Pool> pools = new ArrayList<>();
        Map<String, String> poolByService = new HashMap<>();
        for (Map.Entry<String, PoolsConfig.PoolConfig> entry : config.pools().entrySet()) {
            Pool pool = pool(entry.getKey(), entry.getValue(), queues);
            refuseSharedService(poolByService, pool);
            pools.add(pool);
        }
        return pools;
    }

    /** One pool from its settings, wherever they came from (the pools document or the API). */
    static Pool pool(String name, PoolsConfig.PoolConfig c, QueueGateway queues) {
        checkName(name);
        String key = "coscale.pools." + name + ".";
        if (c.queueUrl().isPresent() == c.queueName().isPresent()) {
            throw new IllegalArgumentException(key + "queue-url or " + key + "queue-name: set exactly one");
        }
        Mode mode;
        try {
            mode = Mode.parse(c.mode());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(key + "mode: " + e.getMessage(), e);
        }
        String queueUrl = c.queueUrl().orElseGet(() -> resolve(queues, c.queueName().get(), key));
        return new Pool(name, c.cluster(), c.service(), queueUrl, c.minTasks(), c.maxTasks(), mode,
                c.messagesPerTask(), c.protectionMinutes(), c.scaleInIdle());
    }

    /** @throws IllegalArgumentException unless {@code name} can be a pool's name (and a path segment, and a key) */
    static void checkName(String name) {
        if (name == null || !name.matches("[A-Za-z0-9][A-Za-z0-9_-]{0,63}")) {
            throw new IllegalArgumentException("coscale.pools." + name + ".*: pool names are 1-64 letters, digits, '-' or '_'");
        }
    }

    /**
     * The other pool of {@code others} that names {@code pool}'s ECS service, if any: two pools of one service would
     * each write their own desiredCount over the other's.
     */
    static java.util.Optional<String> sharingService(Pool pool, java.util.Collection<Pool> others) {
        return others.stream().filter(o -> !o.name().equals(pool.name()))
                .filter(o -> Arns.lastSegment(o.cluster()).equals(Arns.lastSegment(pool.cluster()))
                        && Arns.lastSegment(o.service()).equals(Arns.lastSegment(pool.service())))
                .map(Pool::name).findFirst();
    }

    private static void refuseSharedService(Map<String, String> poolByService, Pool pool) {
        // ECS accepts a cluster (and a service) by name or by ARN; both spellings must meet here.
        String cluster = Arns.lastSegment(pool.cluster());
        String service = Arns.lastSegment(pool.service());
        String name = pool.name();
        String other = poolByService.putIfAbsent(cluster + "/" + service, name);
        if (other != null) {
            // Sorted, so that the message does not depend on the configuration map's order.
            String first = other.compareTo(name) < 0 ? other : name;
            String second = first.equals(other) ? name : other;
            throw new IllegalArgumentException("coscale.pools." + first + ".service and coscale.pools." + second
                    + ".service both name cluster '" + cluster + "' service '" + service
                    + "': give each service one pool");
        }
    }

    private static String resolve(QueueGateway queues, String queueName, String key) {
        try {
            return queues.queueUrl(queueName);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(key + "queue-name: cannot resolve queue '" + queueName + "': " + e.getMessage(), e);
        }
    }
}
