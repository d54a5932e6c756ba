package io.coscale.control;

import io.coscale.aws.QueueGateway;
import io.coscale.config.PoolsConfig;
import io.coscale.domain.Pool;
import io.coscale.lease.Leadership;
import io.coscale.lease.LeadershipChanged;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * The managed pools, loaded and validated at start-up, by name. Jobs come in through {@link Intake}, workers through
 * {@link Workers}.
 */
@Singleton
public class Pools {

    private static final Logger LOG = Logger.getLogger(Pools.class);

    private final PoolsConfig poolsConfig;
    private final QueueGateway queues;
    private final ControlContext ctx;
    private final ControlMetrics metrics;
    private volatile Map<String, PoolController> pools = Map.of();

    Pools(PoolsConfig poolsConfig, QueueGateway queues, ControlContext ctx, ControlMetrics metrics) {
        this.poolsConfig = poolsConfig;
        this.queues = queues;
        this.metrics = metrics;
        this.ctx = ctx;
    }

    /** Loads the pools after local mode (priority 1) has its SQS up; invalid configuration stops start-up. */
    void load(@Observes @Priority(10) StartupEvent event) {
        Map<String, PoolController> loaded = new LinkedHashMap<>();
        for (Pool pool : PoolLoader.load(poolsConfig, queues)) {
            PoolController controller = new PoolController(pool, ctx);
            metrics.register(controller);
            loaded.put(pool.name(), controller);
        }
        pools = Collections.unmodifiableMap(loaded);
        LOG.infof("coscale manages %d pool(s): %s", loaded.size(), loaded.keySet());
    }

    /**
     * This replica took the lease over (or lost it): on a takeover every pool starts afresh from ECS, as after a
     * start-up, since the replica that led before may have changed counts, protection and exits meanwhile.
     */
    void leadershipChanged(@Observes @Priority(10) LeadershipChanged change) {
        if (change.leader()) {
            LOG.infof("leading (epoch %d): taking over %d pool(s)", change.epoch(), pools.size());
            pools.values().forEach(PoolController::takeOver);
        } else {
            LOG.infof("no longer leading (epoch %d): claims, releases and counts go to the leader", change.epoch());
        }
    }

    /** The leading replica and the lease's epoch, as this one knows them; null when no leader is known. */
    public PoolStatus.Leader leader() {
        Leadership leadership = ctx.leadership();
        return leadership.leaderId().map(id -> new PoolStatus.Leader(id, leadership.epoch())).orElse(null);
    }

    /** Whether this replica writes ECS now (it holds the lease). */
    public boolean leads() {
        return ctx.leadership().isLeader();
    }

    public boolean isLoaded() {
        return !pools.isEmpty() || poolsConfig.pools().isEmpty();
    }

    public Collection<PoolController> pools() {
        return pools.values();
    }

    public Optional<PoolController> pool(String name) {
        return Optional.ofNullable(pools.get(name));
    }
}
