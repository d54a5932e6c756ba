package io.coscale.control;

import io.coscale.aws.ServiceState;
import io.coscale.concurrent.Futures;
import io.coscale.concurrent.InFlightLimit;
import io.coscale.concurrent.Threads;
import io.coscale.config.ReconcileConfig;
import io.coscale.domain.Arns;
import io.coscale.lease.LeadershipChanged;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import jakarta.annotation.Priority;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeoutException;
import org.jboss.logging.Logger;

/**
 * The level-based reconciler: every {@code coscale.reconcile.interval} (and once at start-up) it reads
 * every pool's service (DescribeServices, 10 services per call per cluster) and queue depth, and hands each
 * pool its observation; the pool decides and corrects in a step of its own. Idempotent: a converged
 * pool is left as it is. Never throws: failures become the pool's lastError and an event.
 *
 * <p>A pass completes whatever each pool's result: a pool that fails, or whose step outlasts the interval,
 * is that pool's problem. The pass also records whether ECS and SQS answered at all ({@link Reach}), the one
 * failure that concerns every pool.
 */
@Singleton
public class Reconciler {

    private static final int SERVICES_PER_CALL = 10;

    private static final Logger LOG = Logger.getLogger(Reconciler.class);

    private final Pools plane;
    private final ControlContext ctx;
    private final Duration interval;
    /** A pass's DescribeServices calls in flight, bounded: the ECS threads also serve claims and releases. */
    private final InFlightLimit serviceReads;
    /** A pass's queue-depth reads in flight, bounded: the SQS threads also serve enqueues and releases. */
    private final InFlightLimit queueReads;
    private final Clock clock = Clock.systemUTC();

    private volatile Instant lastCompletedAt;
    private volatile Instant lastAttemptAt;
    private volatile Reach ecsReach = Reach.NOTHING_ASKED;
    private volatile Reach sqsReach = Reach.NOTHING_ASKED;

    Reconciler(Pools plane, ControlContext ctx, ReconcileConfig config) {
        this.plane = plane;
        this.ctx = ctx;
        this.interval = config.interval();
        this.serviceReads = new InFlightLimit(config.readsInFlight());
        this.queueReads = new InFlightLimit(config.readsInFlight());
    }

    void atStartup(@Observes @Priority(20) StartupEvent event) {
        passNow("coscale-first-reconcile");
    }

    /** A replica that takes the lease over looks at every pool at once, after its controllers started afresh. */
    void leadershipChanged(@Observes @Priority(20) LeadershipChanged change) {
        if (change.leader()) {
            passNow("coscale-takeover-reconcile");
        }
    }

    private void passNow(String name) {
        Threads.daemon(name).newThread(this::tick).start();
    }

    /** A pass, on the leader only: the others write nothing, and their reads would spend ECS's budget for nothing. */
    @Scheduled(every = "${coscale.reconcile.interval:10s}", delayed = "${coscale.reconcile.interval:10s}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void tick() {
        if (plane.leads()) {
            reconcileAll();
        }
    }

    /**
     * One pass over every pool: DescribeServices for ten services at a time and every queue's depth, read in parallel,
     * at most {@code coscale.reconcile.reads-in-flight} of each at once (the ECS and SQS threads also serve workers and
     * submitters); each pool's step starts as soon as its own reads are in. Returns when every step has finished or the
     * interval has passed.
     */
    public synchronized void reconcileAll() {
        long started = System.nanoTime();
        lastAttemptAt = clock.instant();
        try {
            Map<String, List<PoolController>> byCluster = new LinkedHashMap<>();
            plane.pools().forEach(p -> byCluster.computeIfAbsent(p.pool().cluster(), c -> new ArrayList<>()).add(p));
            Tally tally = new Tally();
            Map<PoolController, CompletableFuture<Void>> steps = new ConcurrentHashMap<>();
            List<CompletableFuture<Void>> reads = new ArrayList<>();
            for (Map.Entry<String, List<PoolController>> cluster : byCluster.entrySet()) {
                List<PoolController> pools = cluster.getValue();
                for (int i = 0; i < pools.size(); i += SERVICES_PER_CALL) {
                    reads.add(reconcile(cluster.getKey(), pools.subList(i, Math.min(i + SERVICES_PER_CALL, pools.size())),
                            tally, steps));
                }
            }
            awaitAll(reads, "reads", Map.of());
            awaitAll(List.copyOf(steps.values()), "steps", steps);
            ecsReach = tally.ecs();
            sqsReach = tally.sqs();
            lastCompletedAt = clock.instant();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            LOG.warnf("reconcile pass did not finish: %s", e.toString());
        } finally {
            ctx.metrics().reconcilePass(Duration.ofNanos(System.nanoTime() - started));
        }
    }

    /** Reads up to ten services of one cluster, then each pool's queue, and hands each pool its step. */
    private CompletableFuture<Void> reconcile(String cluster, List<PoolController> pools, Tally tally,
            Map<PoolController, CompletableFuture<Void>> steps) {
        // Taken before the read waits its turn: the observation counts as older than it is, which only ever makes a
        // count coscale wrote itself win over it (CountBelief), never the reverse. The same for the submission mark.
        long observedAtNanos = System.nanoTime();
        List<String> names = pools.stream().map(p -> p.pool().service()).distinct().toList();
        return serviceReads.submit(() -> ctx.ecsRead(ecs -> ecs.describeServices(cluster, names)))
                .handle((found, failure) -> {
            if (failure != null) {
                RuntimeException e = Futures.unchecked(failure);
                tally.ecs(e);
                pools.forEach(p -> p.failed("reconcile: DescribeServices", e));
                return CompletableFuture.<Void>completedFuture(null);
            }
            tally.ecs(null);
            Map<String, ServiceState> services = new HashMap<>();
            found.forEach(s -> services.put(s.service(), s));
            List<CompletableFuture<Void>> depths = new ArrayList<>();
            for (PoolController pool : pools) {
                ServiceState service = services.get(serviceName(pool));
                if (service == null || !service.active()) {
                    pool.failed("reconcile", new IllegalStateException("service " + pool.pool().service()
                            + " not found (or not ACTIVE) in cluster " + cluster));
                    continue;
                }
                long mark = pool.submissionMark();
                depths.add(queueReads.submit(() -> ctx.depthRead(pool.pool().queueUrl()))
                        .handle((depth, e) -> {
                    if (e != null) {
                        RuntimeException cause = Futures.unchecked(e);
                        tally.sqs(cause);
                        pool.failed("reconcile: GetQueueAttributes", cause);
                        return null;
                    }
                    tally.sqs(null);
                    steps.put(pool, pool.reconcile(service, depth, observedAtNanos, mark).exceptionally(stepFailure -> {
                        pool.failed("reconcile", stepFailure);
                        return null;
                    }));
                    return null;
                }));
            }
            return CompletableFuture.allOf(depths.toArray(CompletableFuture[]::new));
        }).thenCompose(next -> next);
    }

    /** What ECS and SQS answered during one pass, counted from many threads. */
    private static final class Tally {
        private Reach ecs = Reach.NOTHING_ASKED;
        private Reach sqs = Reach.NOTHING_ASKED;

        synchronized void ecs(RuntimeException failure) {
            ecs = failure == null ? ecs.succeeded() : ecs.failed(failure);
        }

        synchronized void sqs(RuntimeException failure) {
            sqs = failure == null ? sqs.succeeded() : sqs.failed(failure);
        }

        synchronized Reach ecs() {
            return ecs;
        }

        synchronized Reach sqs() {
            return sqs;
        }
    }

    /**
     * Waits up to one interval for {@code futures}. A step still running then (a long budget wait, a slow
     * UpdateService) goes on; the pass is complete without it.
     */
    private void awaitAll(List<CompletableFuture<Void>> futures, String what, Map<PoolController, CompletableFuture<Void>> named)
            throws InterruptedException {
        try {
            Futures.await(CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new)), interval);
        } catch (TimeoutException e) {
            List<String> slow = named.entrySet().stream().filter(s -> !s.getValue().isDone())
                    .map(s -> s.getKey().pool().name()).toList();
            LOG.warnf("reconcile %s still running after %s %s", what, interval, slow);
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
