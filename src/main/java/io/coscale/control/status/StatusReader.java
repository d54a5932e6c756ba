package io.coscale.control.status;

import io.coscale.aws.EcsGateway;
import io.coscale.aws.QueueGateway;
import io.coscale.aws.QueueReading;
import io.coscale.aws.ServiceState;
import io.coscale.control.Pools;
import io.coscale.control.PoolController;
import io.coscale.control.PoolStatus;
import io.coscale.domain.Arns;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * Pool status with figures an operator can trust: a status read shows ECS's and SQS's figures as of at most
 * {@link #MAX_AGE} ago, each with the time it was read. Figures older than that are read again on the spot; callers
 * who ask meanwhile share that read ({@link FreshReads}), and the stale services of one cluster are asked for in one
 * DescribeServices call per 10.
 *
 * <p>Read-only: what is read here is shown, never fed to a pool's controller. desiredCount and every decision stay
 * the controller's, which takes its own observations on its own schedule; a status read can neither move the count
 * nor make the reconciler skip a beat.
 */
@Singleton
public class StatusReader {

    /** How old an ECS or SQS figure may be when status shows it: the product promises never older than 2 s. */
    public static final Duration MAX_AGE = Duration.ofSeconds(2);
    /** How long a reader waits for a read another reader has in flight before it shows the last figures known. */
    private static final Duration WAIT = Duration.ofSeconds(2);
    private static final Logger LOG = Logger.getLogger(StatusReader.class);

    private final Pools plane;
    private final EcsGateway ecs;
    private final QueueGateway queues;
    private final DeadLetterWatch deadLetters;
    private final FreshReads<PoolController, ServiceState> services;
    private final FreshReads<PoolController, QueueObservation> queueReads;

    StatusReader(Pools plane, EcsGateway ecs, QueueGateway queues, DeadLetterWatch deadLetters) {
        this.plane = plane;
        this.ecs = ecs;
        this.queues = queues;
        this.deadLetters = deadLetters;
        this.services = new FreshReads<>(this::readServices, Clock.systemUTC(), WAIT);
        this.queueReads = new FreshReads<>(this::readQueues, Clock.systemUTC(), WAIT);
    }

    /** Forgets the figures of every controller not in {@code live}: pools retired by a change, or deleted. */
    void retain(Collection<PoolController> live) {
        services.retain(live);
        queueReads.retain(live);
    }

    /** Every pool's status, with ECS and SQS figures at most {@link #MAX_AGE} old when they can be read. */
    public List<PoolStatus> all() {
        return fresh(plane.pools());
    }

    /** The status of each of {@code pools}, in their order, as {@link #all()}: a page of them. */
    public List<PoolStatus> of(List<PoolController> pools) {
        return fresh(pools);
    }

    /** One pool's status, as {@link #all()}. */
    public PoolStatus of(PoolController pool) {
        return fresh(List.of(pool)).get(0);
    }

    private List<PoolStatus> fresh(Collection<PoolController> pools) {
        Map<PoolController, Observed<ServiceState>> ecsFigures = services.get(pools, MAX_AGE);
        Map<PoolController, Observed<QueueObservation>> sqsFigures = queueReads.get(pools, MAX_AGE);
        boolean leads = plane.leads();
        PoolStatus.Leader leader = plane.leader();
        return pools.stream().map(p -> compose(p.status(), Optional.ofNullable(ecsFigures.get(p)),
                Optional.ofNullable(sqsFigures.get(p)), leads, leader)).toList();
    }

    /**
     * Statuses for the charts' samples, which spend no read of their own on what the controller observes anyway: queue
     * figures from the last reconcile, or from a status read when newer; the dead-letter queue's depth at most
     * {@code deadLetterMaxAge} old (read again when older: it keeps the dead-letter watch going when nobody looks at
     * status); ECS figures as last known from a status read or the last reconcile, whichever is newer.
     */
    List<PoolStatus> sampled(Collection<PoolController> pools, Duration deadLetterMaxAge) {
        Map<PoolController, Observed<QueueObservation>> sqsFigures = queueReads.get(pools, deadLetterMaxAge);
        List<PoolStatus> statuses = new ArrayList<>();
        for (PoolController pool : pools) {
            PoolStatus own = pool.status();
            Optional<Observed<ServiceState>> read = services.latest(pool).filter(o -> newer(o, own));
            PoolStatus composed = compose(own, read, Optional.ofNullable(sqsFigures.get(pool)), plane.leads(), plane.leader());
            Observed<QueueObservation> queue = sqsFigures.get(pool);
            statuses.add(queue == null || newer(queue, own) ? composed : withOwnQueue(composed, own));
        }
        return statuses;
    }

    /** Whether a figure read here is newer than the controller's last reconcile. */
    private static boolean newer(Observed<?> read, PoolStatus own) {
        return own.lastReconcileAt() == null || read.at().isAfter(own.lastReconcileAt());
    }

    /** {@code status} with the queue figures of the controller's last reconcile instead of an older status read. */
    private static PoolStatus withOwnQueue(PoolStatus status, PoolStatus own) {
        PoolStatus.Queue queue = new PoolStatus.Queue(own.queue().visible(), own.queue().inFlight(), own.queue().delayed(),
                own.lastReconcileAt());
        return new PoolStatus(status.name(), status.cluster(), status.service(), status.queueUrl(), status.mode(),
                status.minTasks(), status.maxTasks(), status.messagesPerTask(), status.desiredCount(), status.runningCount(),
                status.pendingCount(), status.ecsObservedAt(), queue, status.deadLetter(), status.busyTasks(),
                status.protectedTasks(), status.lastReconcileAt(), status.lastError(), status.leader(),
                status.stoppedTasks(), status.recentStops());
    }

    /**
     * The controller's own status with the figures read here put in. A figure that could not be read here keeps the
     * controller's value, with a null time when ECS's (or SQS's) was never read by status.
     */
    static PoolStatus compose(PoolStatus own, Optional<Observed<ServiceState>> service,
            Optional<Observed<QueueObservation>> queue) {
        return compose(own, service, queue, true, null);
    }

    /**
     * As above, on a replica that leads or not: one that does not lead writes nothing, so its own count is no better
     * than ECS's word. {@code leader} goes into the status as it is.
     */
    static PoolStatus compose(PoolStatus own, Optional<Observed<ServiceState>> service,
            Optional<Observed<QueueObservation>> queue, boolean leads, PoolStatus.Leader leader) {
        Integer desired = own.desiredCount();
        Integer running = own.runningCount();
        Integer pending = own.pendingCount();
        Instant ecsAt = null;
        if (service.isPresent()) {
            ServiceState s = service.get().value();
            // The leader's own count wins: it may have changed it since, and ECS reads lag behind. Another replica
            // writes nothing, and shows ECS's word.
            desired = desired == null || !leads ? Integer.valueOf(s.desiredCount()) : desired;
            running = s.runningCount();
            pending = s.pendingCount();
            ecsAt = service.get().at();
        }
        PoolStatus.Queue depth = new PoolStatus.Queue(own.queue().visible(), own.queue().inFlight(),
                own.queue().delayed(), null);
        PoolStatus.DeadLetter deadLetter = null;
        if (queue.isPresent()) {
            QueueObservation q = queue.get().value();
            Instant at = queue.get().at();
            depth = new PoolStatus.Queue(q.depth().visible(), q.depth().inFlight(), q.depth().delayed(), at);
            deadLetter = q.deadLetterQueueUrl() == null ? null
                    : new PoolStatus.DeadLetter(q.deadLetterQueueUrl(), q.deadLetterVisible(), at);
        }
        return new PoolStatus(own.name(), own.cluster(), own.service(), own.queueUrl(), own.mode(), own.minTasks(),
                own.maxTasks(), own.messagesPerTask(), desired, running, pending, ecsAt, depth, deadLetter,
                own.busyTasks(), own.protectedTasks(), own.lastReconcileAt(), own.lastError(), leader, own.stoppedTasks(),
                own.recentStops());
    }

    /** The pools' services, one DescribeServices per cluster and 10 services; a cluster that fails is left out. */
    private Map<PoolController, ServiceState> readServices(List<PoolController> pools) {
        Map<String, List<PoolController>> byCluster = new LinkedHashMap<>();
        pools.forEach(p -> byCluster.computeIfAbsent(p.pool().cluster(), c -> new ArrayList<>()).add(p));
        Map<PoolController, ServiceState> found = new HashMap<>();
        byCluster.forEach((cluster, members) -> {
            try {
                Map<String, ServiceState> byName = new HashMap<>();
                ecs.describeServices(cluster, members.stream().map(p -> p.pool().service()).distinct().toList())
                        .forEach(s -> byName.put(s.service(), s));
                members.forEach(p -> {
                    ServiceState s = byName.get(Arns.lastSegment(p.pool().service()));
                    if (s != null) {
                        found.put(p, s);
                    }
                });
            } catch (RuntimeException e) {
                LOG.debugf("status: DescribeServices of cluster %s failed: %s", cluster, e.getMessage());
            }
        });
        return found;
    }

    /** Each pool's queue and dead-letter queue, one GetQueueAttributes each; a pool whose queue fails is left out. */
    private Map<PoolController, QueueObservation> readQueues(List<PoolController> pools) {
        Map<PoolController, QueueObservation> found = new HashMap<>();
        for (PoolController pool : pools) {
            try {
                QueueReading reading = queues.read(pool.pool().queueUrl());
                String deadLetterUrl = reading.deadLetterQueueUrl().orElse(null);
                Long deadLetterVisible = deadLetterUrl == null ? null : deadLetterDepth(pool, deadLetterUrl);
                found.put(pool, new QueueObservation(reading.depth(), deadLetterUrl, deadLetterVisible));
            } catch (RuntimeException e) {
                LOG.debugf("status: GetQueueAttributes of pool %s failed: %s", pool.pool().name(), e.getMessage());
            }
        }
        return found;
    }

    /** The dead-letter queue's visible jobs, or null when it cannot be read (the pool's own queue still shows). */
    private Long deadLetterDepth(PoolController pool, String deadLetterUrl) {
        try {
            long visible = queues.depth(deadLetterUrl).visible();
            deadLetters.observed(pool, deadLetterUrl, visible);
            return visible;
        } catch (RuntimeException e) {
            deadLetters.unreadable(pool.pool().name(), deadLetterUrl, e);
            return null;
        }
    }
}
