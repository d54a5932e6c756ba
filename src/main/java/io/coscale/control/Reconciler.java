package io.coscale.control;

import io.coscale.aws.EcsGateway;
import io.coscale.aws.QueueGateway;
import io.coscale.aws.ServiceState;
import io.coscale.config.ReconcileConfig;
import io.coscale.domain.QueueDepth;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import jakarta.annotation.Priority;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jboss.logging.Logger;

/**
 * The level-based reconciler: every {@code coscale.reconcile.interval} (and once at start-up) it reads
 * every pool's service (DescribeServices, 10 services per call per cluster) and queue depth, and hands each
 * pool its observation; the pool decides and corrects on its own serial executor. Idempotent: a converged
 * pool is left as it is. Never throws: failures become the pool's lastError and an event.
 *
 * <p>A pass completes whatever each pool's result: a pool that fails, or whose step outlasts the interval,
 * is that pool's problem. The pass also records whether ECS and SQS answered at all ({@link Reach}), the one
 * failure that concerns every pool.
 */
@Singleton
public class Reconciler {

    private static final Logger LOG = Logger.getLogger(Reconciler.class);

    private final ControlPlane plane;
    private final EcsGateway ecs;
    private final QueueGateway queues;
    private final Duration interval;
    private final Clock clock = Clock.systemUTC();

    private volatile Instant lastCompletedAt;
    private volatile Instant lastAttemptAt;
    private volatile Reach ecsReach = Reach.NOTHING_ASKED;
    private volatile Reach sqsReach = Reach.NOTHING_ASKED;

    Reconciler(ControlPlane plane, EcsGateway ecs, QueueGateway queues, ReconcileConfig config) {
        this.plane = plane;
        this.ecs = ecs;
        this.queues = queues;
        this.interval = config.interval();
    }

    void atStartup(@Observes @Priority(20) StartupEvent event) {
        plane.context().executor().execute(this::reconcileAll);
    }

    @Scheduled(every = "${coscale.reconcile.interval:10s}", delayed = "${coscale.reconcile.interval:10s}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void tick() {
        reconcileAll();
    }

    /** One pass over every pool; returns when each pool's step has finished or the interval has passed. */
    public synchronized void reconcileAll() {
        lastAttemptAt = clock.instant();
        try {
            Map<String, List<PoolController>> byCluster = new LinkedHashMap<>();
            plane.pools().forEach(p -> byCluster.computeIfAbsent(p.pool().cluster(), c -> new ArrayList<>()).add(p));
            Reach ecsAnswers = Reach.NOTHING_ASKED;
            Reach sqsAnswers = Reach.NOTHING_ASKED;
            Map<PoolController, CompletableFuture<Void>> steps = new LinkedHashMap<>();
            for (Map.Entry<String, List<PoolController>> cluster : byCluster.entrySet()) {
                Map<String, ServiceState> services = new LinkedHashMap<>();
                long observedAtNanos = System.nanoTime();
                try {
                    List<String> names = cluster.getValue().stream().map(p -> p.pool().service()).distinct().toList();
                    ControlContext.READ_RETRIES.run(() -> ecs.describeServices(cluster.getKey(), names))
                            .forEach(s -> services.put(s.service(), s));
                    ecsAnswers = ecsAnswers.succeeded();
                } catch (RuntimeException e) {
                    ecsAnswers = ecsAnswers.failed(e);
                    cluster.getValue().forEach(p -> p.failed("reconcile: DescribeServices", e));
                    continue;
                }
                for (PoolController pool : cluster.getValue()) {
                    Optional<ServiceState> service = Optional.ofNullable(services.get(serviceName(pool)));
                    if (service.isEmpty() || !service.get().active()) {
                        pool.failed("reconcile", new IllegalStateException("service " + pool.pool().service()
                                + " not found (or not ACTIVE) in cluster " + cluster.getKey()));
                        continue;
                    }
                    QueueDepth depth;
                    long mark = pool.submissionMark();
                    try {
                        depth = ControlContext.READ_RETRIES.run(() -> queues.depth(pool.pool().queueUrl()));
                        sqsAnswers = sqsAnswers.succeeded();
                    } catch (RuntimeException e) {
                        sqsAnswers = sqsAnswers.failed(e);
                        pool.failed("reconcile: GetQueueAttributes", e);
                        continue;
                    }
                    steps.put(pool, pool.reconcile(service.get(), depth, observedAtNanos, mark)
                            .exceptionally(e -> {
                                pool.failed("reconcile", e instanceof CompletionException c ? c.getCause() : e);
                                return null;
                            }));
                }
            }
            awaitSteps(steps);
            ecsReach = ecsAnswers;
            sqsReach = sqsAnswers;
            lastCompletedAt = clock.instant();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            LOG.warnf("reconcile pass did not finish: %s", e.toString());
        }
    }

    /**
     * Waits up to one interval for the pools' steps. A step still running then (a long budget wait, a slow
     * UpdateService) goes on on its pool's executor; the pass is complete without it.
     */
    private void awaitSteps(Map<PoolController, CompletableFuture<Void>> steps) throws InterruptedException, ExecutionException {
        try {
            CompletableFuture.allOf(steps.values().toArray(CompletableFuture[]::new)).get(interval.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            List<String> slow = steps.entrySet().stream().filter(s -> !s.getValue().isDone())
                    .map(s -> s.getKey().pool().name()).toList();
            LOG.warnf("reconcile steps still running after %s: %s", interval, slow);
        }
    }

    private static String serviceName(PoolController pool) {
        return Arns.lastSegment(pool.pool().service());
    }

    public Optional<Instant> lastCompletedAt() {
        return Optional.ofNullable(lastCompletedAt);
    }

    public Optional<Instant> lastAttemptAt() {
        return Optional.ofNullable(lastAttemptAt);
    }

    /** Whether ECS answered at least one call of the last completed pass (true before the first). */
    public boolean ecsReachable() {
        return ecsReach.reachable();
    }

    /** Whether SQS answered at least one queue read of the last completed pass (true before the first). */
    public boolean sqsReachable() {
        return sqsReach.reachable();
    }

    public Duration interval() {
        return interval;
    }
}
