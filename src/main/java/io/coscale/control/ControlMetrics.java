package io.coscale.control;

import io.coscale.domain.ReleaseDecision;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.function.ToDoubleFunction;

/**
 * coscale's Prometheus metrics: per-pool gauges read from each pool's status at scrape time, counters of
 * UpdateService calls, throttles and release decisions, and the submission latency histogram.
 */
@Singleton
public class ControlMetrics {

    private final MeterRegistry registry;

    public ControlMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    /** Registers the gauges of one pool. */
    void register(PoolController controller) {
        String pool = controller.pool().name();
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
        Timer.builder("coscale.submission").description("Job submission latency (SQS accepted, scale-up queued)")
                .tag("pool", pool).publishPercentileHistogram().register(registry).record(took);
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
