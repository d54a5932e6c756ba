package io.coscale.control;

import static org.assertj.core.api.Assertions.assertThat;

import io.coscale.concurrent.TokenBucket;
import io.coscale.control.budget.EcsBudget;
import io.coscale.control.budget.TaskReadBudget;
import io.coscale.domain.Mode;
import io.coscale.domain.Pool;
import io.coscale.domain.ReleaseDecision;
import io.coscale.lease.CountForwarding;
import io.coscale.lease.FollowerLeadership;
import io.coscale.lease.Leadership;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The metrics a pool registers and what moves them, on a {@link SimpleMeterRegistry}: no ECS, no SQS (the
 * controller here never leads, so it never calls either).
 */
class ControlMetricsTest {

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final ControlMetrics metrics = new ControlMetrics(registry);
    private final ControlThreads threads = ControlThreads.create(1, 1, 1);
    private final PoolController pool = new PoolController(
            new Pool("p", "cluster", "service", "http://127.0.0.1:1/000000000000/q", 2, 7, Mode.PROTECT, 1, 60,
                    Duration.ofSeconds(60)),
            context(new FollowerLeadership()));

    @AfterEach
    void tearDown() {
        threads.shutdown();
    }

    @Test
    void aRegisteredPoolShowsItsBoundsAndEveryCounterAtZero() {
        metrics.register(pool);

        assertThat(gauge("coscale.pool.min.tasks")).isEqualTo(2);
        assertThat(gauge("coscale.pool.max.tasks")).isEqualTo(7);
        assertThat(gauge("coscale.delayed.jobs")).isZero();
        for (String name : List.of("coscale.update.service.calls", "coscale.update.service.throttles",
                "coscale.reconcile.errors", "coscale.protection.renewals", "coscale.protection.renewal.failures")) {
            assertThat(counter(name)).as(name).isZero();
        }
        for (ReleaseDecision.Kind kind : ReleaseDecision.Kind.values()) {
            assertThat(registry.get("coscale.release.decisions").tag("pool", "p").tag("decision", kind.wireName())
                    .counter().count()).as(kind.wireName()).isZero();
        }
        assertThat(registry.getMeters()).allSatisfy(m -> assertThat(m.getId().getDescription())
                .as("help text of %s", m.getId().getName()).isNotBlank());
    }

    @Test
    void jobsSubmittedWithADelayShowAsDelayedUntilTheirDelayEnds() {
        metrics.register(pool);

        pool.submittedDelayed(3, Duration.ofSeconds(600));
        pool.submittedDelayed(4, Duration.ofSeconds(900));
        pool.submittedDelayed(5, Duration.ZERO);

        assertThat(gauge("coscale.delayed.jobs")).as("jobs without a delay are counted at once").isEqualTo(7);
    }

    @Test
    void onlyFailuresTheReconcilerReportsCountAsReconcileErrors() {
        metrics.register(pool);

        pool.failed("reconcile: DescribeServices", new IllegalStateException("throttled"));
        pool.failed("reconcile: GetQueueAttributes", new IllegalStateException("no such queue"));
        pool.failed("reconcile", new IllegalStateException("service not found"));
        pool.failed("reconcile", new IllegalStateException("service not found"));
        pool.failed("scale-up", new IllegalStateException("throttled"));
        pool.failed("renew protection", new IllegalStateException("throttled"));

        assertThat(counter("coscale.reconcile.errors")).as("each failure, even one repeating the lastError").isEqualTo(4);
    }

    @Test
    void protectionRenewalsSentAndFailedAreCountedApart() {
        metrics.register(pool);

        metrics.protectionRenewalsSent("p", 3);
        metrics.protectionRenewalsSent("p", 0);
        metrics.protectionRenewalFailed("p");

        assertThat(counter("coscale.protection.renewals")).isEqualTo(3);
        assertThat(counter("coscale.protection.renewal.failures")).isEqualTo(1);
    }

    @Test
    void workOfARetiredPoolThatEndsAfterItsMetersAreRemovedBringsNoneBack() {
        metrics.register(pool);
        metrics.submission("p", Duration.ofMillis(3));
        metrics.unregister(pool);

        // What a take-over, a renewal or a submission in flight when the pool was deleted counts as it ends.
        metrics.protectionRenewalsSent("p", 0);
        metrics.protectionRenewalFailed("p");
        metrics.updateServiceCall("p");
        metrics.updateServiceThrottled("p");
        metrics.releaseDecision("p", ReleaseDecision.Kind.values()[0]);
        metrics.taskStopped("p", "SpotInterruption");
        metrics.poolFailed("p", "reconcile: DescribeServices");
        metrics.submission("p", Duration.ofMillis(3));

        assertThat(registry.getMeters()).noneMatch(m -> "p".equals(m.getId().getTag("pool")));

        metrics.register(pool);
        metrics.protectionRenewalsSent("p", 2);
        metrics.submission("p", Duration.ofMillis(3));
        assertThat(counter("coscale.protection.renewals")).as("a pool created again under its name counts again")
                .isEqualTo(2);
        assertThat(registry.get("coscale.submission").tag("pool", "p").timer().count()).isEqualTo(1);
    }

    @Test
    void takeoversPendingCountTheLeadersProtectModePoolsNotYetTakenOver() {
        metrics.register(pool);
        assertThat(takeoversPending()).as("a follower has nothing to take over until it leads").isZero();

        ControlContext leading = context(Leadership.ALONE);
        metrics.register(new PoolController(pool("protected", Mode.PROTECT), leading));
        metrics.register(new PoolController(pool("cooperative", Mode.COOPERATIVE), leading));

        assertThat(takeoversPending()).as("the leader's protect-mode pool, before its first reconcile").isEqualTo(1);
    }

    @Test
    void reconcilePassesAreCountedAndTimedBeforeAnyPoolExists() {
        assertThat(registry.get("coscale.reconcile.passes").counter().count()).isZero();

        metrics.reconcilePass(Duration.ofMillis(250));
        metrics.reconcilePass(Duration.ofMillis(750));

        assertThat(registry.get("coscale.reconcile.passes").counter().count()).isEqualTo(2);
        Timer pass = registry.get("coscale.reconcile.pass").timer();
        assertThat(pass.count()).isEqualTo(2);
        assertThat(pass.totalTime(TimeUnit.MILLISECONDS)).isEqualTo(1_000);
        assertThat(pass.max(TimeUnit.MILLISECONDS)).isEqualTo(750);
    }

    /** What the pools share, without ECS or SQS. */
    private ControlContext context(Leadership leadership) {
        return ControlContext.create(null, null, new EcsBudget(new TokenBucket(1, 1), "coscale-budget"),
                new TaskReadBudget(new TokenBucket(50, 15), 25, Duration.ofSeconds(10)),
                new EcsBudget(new TokenBucket(20, 10), "coscale-tag-budget"), threads, Clock.systemUTC(), Duration.ofMillis(100),
                Duration.ofSeconds(2), 10, Duration.ZERO, metrics, leadership, CountForwarding.NONE);
    }

    private double takeoversPending() {
        return registry.get("coscale.protection.takeovers.pending").gauge().value();
    }

    private static Pool pool(String name, Mode mode) {
        return new Pool(name, "cluster", "service-" + name, "http://127.0.0.1:1/000000000000/" + name, 0, 7, mode, 1, 60,
                Duration.ofSeconds(60));
    }

    private double gauge(String name) {
        return registry.get(name).tag("pool", "p").gauge().value();
    }

    private double counter(String name) {
        Counter counter = registry.get(name).tag("pool", "p").counter();
        return counter.count();
    }
}
