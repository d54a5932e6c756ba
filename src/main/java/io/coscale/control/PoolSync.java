package io.coscale.control;

import io.coscale.aws.QueueGateway;
import io.coscale.config.PoolsConfig;
import io.coscale.domain.Pool;
import io.coscale.pooldata.PoolStore;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import jakarta.annotation.Priority;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import java.util.List;
import org.jboss.logging.Logger;

/**
 * Keeps {@link Pools} to what the pool store holds, on every replica. At start-up the pools document (file, setting,
 * SSM parameter) seeds the store: it adds the pools the store lacks and changes those it wrote itself, never one
 * written or deleted through the API (the store wins once a pool was edited there). Then every
 * {@code coscale.pool-data.poll-interval} one small read of the store's change counter, and the pools read again only
 * when it moved: a pool created, changed or deleted on one replica is managed (or let go) on every other within about
 * one interval. Never throws from its schedule.
 */
@Singleton
public class PoolSync {

    private static final Logger LOG = Logger.getLogger(PoolSync.class);

    private final PoolsConfig document;
    private final QueueGateway queues;
    private final PoolStore store;
    private final Pools pools;
    /** The change counter at the last read of every pool; -1 before the first. */
    private volatile long seen = -1;

    PoolSync(PoolsConfig document, QueueGateway queues, PoolStore store, Pools pools) {
        this.document = document;
        this.queues = queues;
        this.store = store;
        this.pools = pools;
    }

    /**
     * Seeds the store and loads the pools, after local mode (priority 1) has its SQS up; an invalid pools document
     * stops start-up. When the store does not answer, the document's pools are managed meanwhile.
     */
    void load(@Observes @Priority(10) StartupEvent event) {
        List<Pool> seeds = PoolLoader.load(document, queues);
        try {
            seeds.forEach(p -> store.seed(p.name(), PoolDefinitions.canonical(p)));
            poll();
        } catch (RuntimeException e) {
            LOG.warnf("the pool store did not answer at start-up (%s): managing the pools document's %d pool(s) until it"
                    + " does", e.getMessage(), seeds.size());
            pools.applyDocument(seeds);
        }
        pools.loaded();
    }

    @Scheduled(every = "${coscale.pool-data.poll-interval:2s}", delayed = "${coscale.pool-data.poll-interval:2s}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void tick() {
        try {
            poll();
        } catch (RuntimeException e) {
            LOG.warnf("reading the pool store failed (tried again in the next interval): %s", e.getMessage());
        }
    }

    /** Reads every pool when the change counter moved since the last read, and hands them to {@link Pools}. */
    void poll() {
        // Read before the pools: a write that lands between the two is seen now or at the next poll, never missed.
        long changes = store.changes();
        if (changes != seen) {
            pools.apply(store.all());
            seen = changes;
        }
    }
}
