package io.coscale.control;

import io.coscale.control.status.DeadLetterWatch;
import io.coscale.domain.ReleaseDecision;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.ToDoubleFunction;

/**
 * coscale's Prometheus metrics: per-pool gauges read from each pool's status at scrape time, counters of
 * UpdateService calls, throttles, release decisions, reconcile errors and protection renewals, the reconcile pass
 * timer, the submission latency histogram, and the protection take-overs still pending across pools. The lease's own metrics are {@code LeaseKeeper}'s, the dead-letter
 * gauge {@link DeadLetterWatch}'s.
 *
 * <p>A pool's counters are registered at zero with the pool: a counter that first appears with its first increment
 * hides that increment from {@code rate()}, and a dashboard would show "no data" where it means 0.
 */
@Singleton
public class ControlMetrics {

    /** What {@link PoolController#failed} is told by the reconciler: every such failure starts with this. */
    static final String RECONCILE = "reconcile";
    /** ECS's stop codes, registered at zero for every pool; another code ECS may add gets its counter when seen. */
    private static final List<String> STOP_CODES = List.of("SpotInterruption", "TerminationNotice",
            "EssentialContainerExited", "TaskFailedToStart", "UserInitiated", "ServiceSchedulerInitiated");

    private final MeterRegistry registry;
    private final Counter reconcilePasses;
    private final Timer reconcilePassTime;
    private final Map<String, Timer> submissionTimers = new ConcurrentHashMap<>();
    private final DistributionSummary sendCallJobs;
    /** The pools registered so far: the take-over gauge counts over them. */
    private final Set<PoolController> pools = ConcurrentHashMap.newKeySet();
    /**
     * Pools unregistered and not registered again. A retired pool's work may still end after its meters are removed
     * (a take-over or a renewal in flight): what it counts then is dropped, not counted on a meter brought back.
     */
    private final Map<String, Boolean> retired = new ConcurrentHashMap<>();

    public ControlMetrics(MeterRegistry registry) {
        this.registry = registry;
        Gauge.builder("coscale.protection.takeovers.pending", pools,
                        ps -> ps.stream().filter(PoolController::protectionTakeoverPending).count())
                .description("Protect-mode pools whose take-over of the protection ECS holds (after this replica's"
                        + " start-up or lease takeover) has not finished: until it has, protection the last leader set"
                        + " is not renewed. 0 on a replica that does not lead")
                .register(registry);
        this.reconcilePasses = Counter.builder("coscale.reconcile.passes")
                .description("Reconcile passes this replica ran (only the replica that leads runs them)")
                .register(registry);
        this.reconcilePassTime = Timer.builder("coscale.reconcile.pass")
                .description("How long a whole reconcile pass took: until every pool's reads and step were done, or"
                        + " the pass stopped waiting for them (one coscale.reconcile.interval for the reads, one for the"
                        + " steps)")
                .publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofMinutes(2)).register(registry);
        this.sendCallJobs = DistributionSummary.builder("coscale.sqs.send.jobs")
                .description("Jobs per SendMessageBatch call coscale made (at most 10; _sum over _count is the mean; a"
                        + " batch cut by SQS's 256 KiB request limit counts as one call):"
                        + " SQS bills per call, and under load jobs that arrive together share one")
                .register(registry);
    }

    /** Registers the gauges of one pool, and its counters at zero. */
    void register(PoolController controller) {
        String pool = controller.pool().name();
        retired.remove(pool);
        pools.add(controller);
        gauge("coscale.pool.desired.tasks", "The service's desiredCount as coscale last set or read it (NaN before"
                + " the first read)", pool, controller, c -> orNaN(c.status().desiredCount()));
        gauge("coscale.pool.running.tasks", "The service's RUNNING tasks at the last ECS read (NaN before the first)",
                pool, controller, c -> orNaN(c.status().runningCount()));
        gauge("coscale.pool.pending.tasks", "The service's PENDING tasks at the last ECS read (NaN before the first)",
                pool, controller, c -> orNaN(c.status().pendingCount()));
        gauge("coscale.pool.queue.visible", "Messages visible on the pool's queue at the last SQS read: jobs waiting"
                + " for a worker", pool, controller, c -> c.status().queue().visible());
        gauge("coscale.pool.queue.in.flight", "Messages in flight on the pool's queue at the last SQS read: received"
                + " and not yet deleted", pool, controller, c -> c.status().queue().inFlight());
        gauge("coscale.pool.busy.tasks", "Tasks that claimed and have not released since: working a job", pool,
                controller, c -> c.status().busyTasks());
        gauge("coscale.pool.protected.tasks", "Tasks coscale holds ECS scale-in protection for (protect mode)", pool,
                controller, c -> c.status().protectedTasks());
        Gauge.builder("coscale.pool.healthy", controller, c -> c.status().lastError() == null ? 1 : 0)
                .description("1 while the pool has no lastError (its last reconcile or scale-up succeeded), 0 while it"
                        + " fails; the error is in GET /v1/pools/{pool} and its events")
                .tag("pool", pool).register(registry);
        gauge("coscale.pool.min.tasks", "The pool's min-tasks: coscale never sets desiredCount below it", pool,
                controller, c -> c.pool().minTasks());
        gauge("coscale.pool.max.tasks", "The pool's max-tasks: coscale never sets desiredCount above it", pool,
                controller, c -> c.pool().maxTasks());
        gauge("coscale.delayed.jobs", "Jobs accepted with a delay (delaySeconds) whose delay has not ended: they need"
                + " a task only once they become visible, and are counted for scale-up then", pool, controller,
                PoolController::delayedJobs);
        updateServiceCalls(pool);
        updateServiceThrottles(pool);
        reconcileErrors(pool);
        protectionRenewals(pool);
        protectionRenewalFailures(pool);
        for (ReleaseDecision.Kind kind : ReleaseDecision.Kind.values()) {
            releaseDecisions(pool, kind);
        }
        for (String stopCode : STOP_CODES) {
            tasksStopped(pool, stopCode);
        }
    }

    /** Removes the meters of one pool, which is no longer managed (or is handed to a new controller). */
    void unregister(PoolController controller) {
        String pool = controller.pool().name();
        pools.remove(controller);
        retired.put(pool, Boolean.TRUE);
        submissionTimers.remove(pool);
        registry.getMeters().stream().filter(m -> pool.equals(m.getId().getTag("pool"))).toList()
                .forEach(registry::remove);
    }

    /** Counts a task of {@code pool} that stopped for another reason than coscale's exit (see {@code OtherStops}). */
    void taskStopped(String pool, String stopCode) {
        unlessRetired(pool, () -> tasksStopped(pool, stopCode).increment());
    }

    void updateServiceCall(String pool) {
        unlessRetired(pool, () -> updateServiceCalls(pool).increment());
    }

    void updateServiceThrottled(String pool) {
        unlessRetired(pool, () -> updateServiceThrottles(pool).increment());
    }

    /** Counts {@code count} scale-in protection renewals sent to ECS for {@code pool}'s tasks. */
    void protectionRenewalsSent(String pool, int count) {
        unlessRetired(pool, () -> protectionRenewals(pool).increment(count));
    }

    void protectionRenewalFailed(String pool) {
        unlessRetired(pool, () -> protectionRenewalFailures(pool).increment());
    }

    void releaseDecision(String pool, ReleaseDecision.Kind kind) {
        unlessRetired(pool, () -> releaseDecisions(pool, kind).increment());
    }

    /**
     * Takes note of a failure {@code pool} recorded as its lastError: one the reconciler reported ({@code what}
     * starts with {@value #RECONCILE}) counts as a reconcile error; others (scale-up, protection renewal) have
     * metrics of their own.
     */
    void poolFailed(String pool, String what) {
        if (what.startsWith(RECONCILE)) {
            unlessRetired(pool, () -> reconcileErrors(pool).increment());
        }
    }

    /** Counts one reconcile pass and how long it took, finished or cut short by the interval. */
    void reconcilePass(Duration took) {
        reconcilePasses.increment();
        reconcilePassTime.record(took);
    }

    /** Counts one SendMessageBatch call of {@code jobs} jobs. */
    void sendCall(int jobs) {
        sendCallJobs.record(jobs);
    }

    /** Records how long one submission took, from request to 202. */
    public void submission(String pool, Duration took) {
        // Looked up once per pool, not per request: building the meter's id, sorting its tags and finding it in the
        // registry cost more than recording the figure.
        Timer timer = submissionTimers.get(pool);
        if (timer != null) {
            timer.record(took);
            return;
        }
        unlessRetired(pool, () -> submissionTimers.computeIfAbsent(pool, p -> Timer.builder("coscale.submission")
                .description("Job submission latency (SQS accepted, scale-up queued)")
                .tag("pool", p).publishPercentileHistogram().register(registry)).record(took));
    }

    /**
     * Counts on {@code pool}'s meters unless the pool is retired; atomic with {@link #unregister}'s retiring it, so
     * that a count either lands before its meters are removed or is dropped.
     */
    private void unlessRetired(String pool, Runnable count) {
        retired.compute(pool, (name, isRetired) -> {
            if (isRetired == null) {
                count.run();
            }
            return isRetired;
        });
    }

    // Each counter is built in one place, so that its zero at registration and its increments are the same meter.

    private Counter updateServiceCalls(String pool) {
        return counter("coscale.update.service.calls", "UpdateService calls sent to ECS", pool);
    }

    private Counter updateServiceThrottles(String pool) {
        return counter("coscale.update.service.throttles", "UpdateService calls ECS throttled", pool);
    }

    private Counter reconcileErrors(String pool) {
        return counter("coscale.reconcile.errors", "Failures a reconcile pass recorded for the pool (DescribeServices,"
                + " the queue's depth, a missing service, or its correction); each is also its lastError", pool);
    }

    private Counter protectionRenewals(String pool) {
        return counter("coscale.protection.renewals", "Scale-in protection renewals sent to ECS for the pool's tasks"
                + " (protect mode: protection that lapses within a quarter of its length)", pool);
    }

    private Counter protectionRenewalFailures(String pool) {
        return counter("coscale.protection.renewal.failures", "Scale-in protection renewals ECS refused or did not"
                + " answer (the task stays protected until its expiry; the next round retries)", pool);
    }

    private Counter releaseDecisions(String pool, ReleaseDecision.Kind kind) {
        return Counter.builder("coscale.release.decisions").description("Release decisions by kind")
                .tag("pool", pool).tag("decision", kind.wireName()).register(registry);
    }

    private Counter tasksStopped(String pool, String stopCode) {
        return Counter.builder("coscale.tasks.stopped").description("Tasks of the pool that coscale knew (claimed or"
                + " protected) and ECS stopped without coscale letting them exit, by ECS stopCode (SpotInterruption,"
                + " TerminationNotice, EssentialContainerExited for a crash or out-of-memory kill, …); ECS replaces"
                + " them, coscale changes no count").tag("pool", pool).tag("stop_code", stopCode).register(registry);
    }

    private Counter counter(String name, String description, String pool) {
        return Counter.builder(name).description(description).tag("pool", pool).register(registry);
    }

    // The description is Prometheus' HELP line: every coscale metric has one, and a test scrapes for it.
    private void gauge(String name, String description, String pool, PoolController controller,
            ToDoubleFunction<PoolController> value) {
        Gauge.builder(name, controller, value).description(description).tag("pool", pool).register(registry);
    }

    private static double orNaN(Integer value) {
        return value == null ? Double.NaN : value;
    }
}
