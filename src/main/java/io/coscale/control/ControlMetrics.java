package io.coscale.control;

import io.coscale.domain.ReleaseDecision;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.ToDoubleFunction;

/**
 * coscale's Prometheus metrics: per-pool gauges read from each pool's status at scrape time, counters of
 * UpdateService calls, throttles and release decisions, and the submission latency histogram.
 */
@Singleton
public class ControlMetrics {

    private final MeterRegistry registry;
    private final Map<String, Timer> submissionTimers = new ConcurrentHashMap<>();

    public ControlMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    /** Registers the gauges of one pool. */
    void register(PoolController controller) {
        String pool = controller.pool().name();
        gauge("coscale.pool.desired.tasks", pool, controller, c -> orNaN(c.status().desiredCount()));
        gauge("coscale.pool.running.tasks", pool, controller, c -> orNaN(c.status().runningCount()));
        gauge("coscale.pool.pending.tasks", pool, controller, c -> orNaN(c.status().pendingCount()));
        gauge("coscale.pool.queue.visible", pool, controller, c -> c.status().queue().visible());
        gauge("coscale.pool.queue.in.flight", pool, controller, c -> c.status().queue().inFlight());
        gauge("coscale.pool.busy.tasks", pool, controller, c -> c.status().busyTasks());
        gauge("coscale.pool.protected.tasks", pool, controller, c -> c.status().protectedTasks());
        Gauge.builder("coscale.pool.healthy", controller, c -> c.status().lastError() == null ? 1 : 0)
                .description("1 while the pool has no lastError (its last reconcile or scale-up succeeded), 0 while it"
                        + " fails; the error is in GET /v1/pools/{pool} and its events")
                .tag("pool", pool).register(registry);
    }

    void updateServiceCall(String pool) {
        Counter.builder("coscale.update.service.calls").description("UpdateService calls sent to ECS")
                .tag("pool", pool).register(registry).increment();
    }

    void updateServiceThrottled(String pool) {
        Counter.builder("coscale.update.service.throttles").description("UpdateService calls ECS throttled")
                .tag("pool", pool).register(registry).increment();
    }

    void protectionRenewalFailed(String pool) {
        Counter.builder("coscale.protection.renewal.failures")
                .description("Scale-in protection renewals ECS refused or did not answer (the task stays protected "
                        + "until its expiry; the next round retries)")
                .tag("pool", pool).register(registry).increment();
    }

    void releaseDecision(String pool, ReleaseDecision.Kind kind) {
        Counter.builder("coscale.release.decisions").description("Release decisions by kind")
                .tag("pool", pool).tag("decision", kind.wireName()).register(registry).increment();
    }

    /** Records how long one submission took, from request to 202. */
    public void submission(String pool, Duration took) {
        // Looked up once per pool, not per request: building the meter's id, sorting its tags and finding it in the
        // registry cost more than recording the figure.
        submissionTimers.computeIfAbsent(pool, p -> Timer.builder("coscale.submission")
                .description("Job submission latency (SQS accepted, scale-up queued)")
                .tag("pool", p).publishPercentileHistogram().register(registry)).record(took);
    }

    private void gauge(String name, String pool, PoolController controller, ToDoubleFunction<PoolController> value) {
        Gauge.builder(name, controller, value).tag("pool", pool).register(registry);
    }

    private static double orNaN(Integer value) {
        return value == null ? Double.NaN : value;
    }
}
