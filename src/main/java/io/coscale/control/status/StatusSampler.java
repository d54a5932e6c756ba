package io.coscale.control.status;

import io.coscale.config.StatusConfig;
import io.coscale.control.Pools;
import io.coscale.control.PoolController;
import io.coscale.control.PoolStatus;
import io.quarkus.scheduler.Scheduled;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;

/**
 * Keeps the status page's history on the leader: every {@code coscale.status.sample-interval} one {@link Sample} per pool, the last
 * {@code coscale.status.samples} of them in memory (an hour by default). A restart starts the charts afresh; the
 * history is for watching, Prometheus is for keeping. Never throws from its schedule.
 */
@Singleton
public class StatusSampler {

    private static final Logger LOG = Logger.getLogger(StatusSampler.class);

    private final Pools plane;
    private final StatusReader reader;
    private final StatusConfig config;
    private final Clock clock = Clock.systemUTC();
    private final Map<String, SampleRing> rings = new ConcurrentHashMap<>();

    StatusSampler(Pools plane, StatusReader reader, StatusConfig config) {
        this.plane = plane;
        this.reader = reader;
        this.config = config;
    }

    @Scheduled(every = "${coscale.status.sample-interval:5s}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void tick() {
        try {
            sample();
        } catch (RuntimeException e) {
            LOG.warnf("status sample failed: %s", e.toString());
        }
    }

    /**
     * Takes one sample of every pool, on the leader: a follower's status reads, samples included, come from the
     * leader, so its own samples would cost SQS requests for nobody (it keeps the ones it took while it led). On every
     * replica, first forgets what belongs to pools no longer managed: a deleted pool's samples, and the status figures
     * of controllers a change replaced.
     */
    void sample() {
        Collection<PoolController> pools = plane.pools();
        forgetAllBut(pools);
        if (!plane.leads()) {
            return;
        }
        var at = clock.instant();
        for (PoolStatus status : reader.sampled(pools, config.deadLetterInterval())) {
            rings.computeIfAbsent(status.name(), p -> new SampleRing(config.samples())).add(Sample.of(at, status));
        }
    }

    private void forgetAllBut(Collection<PoolController> pools) {
        reader.retain(pools);
        Set<String> names = pools.stream().map(p -> p.pool().name()).collect(Collectors.toSet());
        rings.keySet().retainAll(names);
    }

    /** The samples of a managed pool, oldest first (none yet right after start-up); empty for an unknown pool. */
    public Optional<List<Sample>> samples(String pool) {
        if (plane.pool(pool).isEmpty()) {
            return Optional.empty();
        }
        SampleRing ring = rings.get(pool);
        return Optional.of(ring == null ? List.of() : ring.oldestFirst());
    }
}
