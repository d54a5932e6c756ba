package io.coscale.control;

import io.coscale.aws.QueueGateway;
import io.coscale.domain.Pool;
import io.coscale.lease.Leadership;
import io.coscale.lease.LeadershipChanged;
import io.coscale.pooldata.StoredPool;
import jakarta.annotation.Priority;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.TreeMap;
import org.jboss.logging.Logger;

/**
 * The managed pools by name, in name order: what the pool store holds ({@link PoolSync} hands every change in), one
 * {@link PoolController} each. Pools come and go while running: a new pool gets a controller and its metrics, a
 * changed one a fresh controller that takes its tasks over from ECS as after a start-up, a deleted one is no longer
 * managed (its service keeps its count and its tasks run on: coscale stops scaling it, it does not scale it down).
 * Jobs come in through {@link Intake}, workers through {@link Workers}.
 */
@Singleton
public class Pools {

    private static final Logger LOG = Logger.getLogger(Pools.class);

    private final QueueGateway queues;
    private final ControlContext ctx;
    private final ControlMetrics metrics;
    /** Replaced, never changed: readers iterate a snapshot. Written under {@code this}. */
    private volatile NavigableMap<String, PoolController> pools = Collections.emptyNavigableMap();
    /** The store's version of each pool applied (or refused) here, deleted ones included. */
    private final Map<String, Long> versions = new HashMap<>();
    private volatile boolean loaded;

    Pools(QueueGateway queues, ControlContext ctx, ControlMetrics metrics) {
        this.queues = queues;
        this.ctx = ctx;
        this.metrics = metrics;
    }

    /**
     * Brings the managed pools to what the store holds: adds, changes and removes controllers. A pool the store has
     * at the version applied last is left alone, its controller and what it knows untouched. Never throws for one bad
     * item: a definition that no longer reads (or names another pool's service) is logged and left out.
     */
    synchronized void apply(Collection<StoredPool> stored) {
        stored.forEach(this::apply);
    }

    /** As above, for one pool: the API applies its own write at once, the other replicas at their next poll. */
    synchronized void apply(StoredPool stored) {
        Long known = versions.get(stored.name());
        if (known != null && known >= stored.version()) {
            return;
        }
        versions.put(stored.name(), stored.version());
        if (stored.deleted()) {
            remove(stored.name());
            return;
        }
        Pool pool;
        try {
            pool = PoolDefinitions.parse(stored.name(), stored.definition(), queues);
        } catch (IllegalArgumentException e) {
            LOG.errorf("pool %s (version %d) is not managed: %s", stored.name(), stored.version(), e.getMessage());
            remove(stored.name());
            return;
        }
        Optional<String> sharing = PoolLoader.sharingService(pool, pools.values().stream().map(PoolController::pool).toList());
        if (sharing.isPresent()) {
            LOG.errorf("pool %s (version %d) is not managed: its service %s is pool %s's", pool.name(), stored.version(),
                    pool.service(), sharing.get());
            remove(stored.name());
            return;
        }
        put(pool);
    }

    /** Manages the pools of the pools document without the store, which did not answer at start-up. */
    synchronized void applyDocument(List<Pool> document) {
        document.forEach(this::put);
    }

    /** Start-up is over: the pools the store (or the document) had are managed. */
    void loaded() {
        loaded = true;
        LOG.infof("coscale manages %d pool(s)%s", pools.size(), pools.size() > 20 ? "" : ": " + pools.keySet());
    }

    private void put(Pool pool) {
        PoolController current = pools.get(pool.name());
        if (current != null && current.pool().equals(pool)) {
            return;
        }
        PoolController controller = new PoolController(pool, ctx);
        NavigableMap<String, PoolController> next = new TreeMap<>(pools);
        next.put(pool.name(), controller);
        if (current != null) {
            retire(current);
        }
        metrics.register(controller);
        pools = Collections.unmodifiableNavigableMap(next);
        if (leads()) {
            // As after a lease takeover: the count and the protection ECS holds are read afresh before any is changed.
            controller.takeOver();
        }
        if (loaded) {
            LOG.infof("%s pool %s: %s", current == null ? "managing" : "changed", pool.name(), PoolDefinitions.canonical(pool));
        }
    }

    private void remove(String name) {
        PoolController current = pools.get(name);
        if (current == null) {
            return;
        }
        NavigableMap<String, PoolController> next = new TreeMap<>(pools);
        next.remove(name);
        pools = Collections.unmodifiableNavigableMap(next);
        retire(current);
        LOG.infof("pool %s no longer managed: its service keeps its count and its tasks", name);
    }

    private void retire(PoolController controller) {
        controller.retire();
        metrics.unregister(controller);
    }

    /**
     * This replica took the lease over (or lost it): on a takeover every pool starts afresh from ECS, as after a
     * start-up, since the replica that led before may have changed counts, protection and exits meanwhile.
     */
    void leadershipChanged(@Observes @Priority(10) LeadershipChanged change) {
        if (change.leader()) {
            Collection<PoolController> now = pools.values();
            LOG.infof("leading (epoch %d): taking over %d pool(s)", change.epoch(), now.size());
            now.forEach(PoolController::takeOver);
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

    /** Whether start-up has loaded the pools. */
    public boolean isLoaded() {
        return loaded;
    }

    /** Every managed pool, in name order. */
    public Collection<PoolController> pools() {
        return pools.values();
    }

    /** Up to {@code limit} managed pools whose names come after {@code after} (from the first when empty), in name order. */
    public List<PoolController> page(Optional<String> after, int limit) {
        NavigableMap<String, PoolController> now = pools;
        return (after.isPresent() ? now.tailMap(after.get(), false) : now).values().stream().limit(limit).toList();
    }

    public Optional<PoolController> pool(String name) {
        return Optional.ofNullable(pools.get(name));
    }
}
