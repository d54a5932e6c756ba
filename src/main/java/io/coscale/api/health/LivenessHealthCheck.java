package io.coscale.api.health;

import io.coscale.config.LeaseConfig;
import io.coscale.lease.LeaseKeeper;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Liveness;

/**
 * Alive while this replica's own loops keep ticking: the lease loop, the scheduler and the event loop, the failures a
 * restart fixes, on a leader and a follower alike (see {@link HealthRules}). An unreachable lease store, ECS or SQS
 * is not a reason to restart, so none counts here (see readiness).
 */
@Liveness
@ApplicationScoped
public class LivenessHealthCheck implements HealthCheck {

    /** Slack on every loop's bound: a long GC pause or a slow lease call is not a stuck loop. */
    private static final Duration SLACK = Duration.ofSeconds(30);

    private final LeaseKeeper lease;
    private final HealthFacts facts;
    private final Duration leaseBound;

    LivenessHealthCheck(LeaseKeeper lease, HealthFacts facts, LeaseConfig config) {
        this.lease = lease;
        this.facts = facts;
        this.leaseBound = config.heartbeat().multipliedBy(5).plus(SLACK);
    }

    @Override
    public HealthCheckResponse call() {
        Optional<Duration> leaseTick = lease.sinceHeartbeat();
        Optional<Duration> schedulerTick = facts.sinceSchedulerTick();
        Optional<Duration> eventLoopTick = facts.sinceEventLoopTick();
        HealthRules.Verdict verdict = HealthRules.live(facts.sinceStart(), List.of(
                new HealthRules.Loop("lease loop", leaseTick, leaseBound),
                new HealthRules.Loop("scheduler", schedulerTick, HealthFacts.SCHEDULER_TICK.plus(SLACK)),
                new HealthRules.Loop("event loop", eventLoopTick, HealthFacts.EVENT_LOOP_TICK.plus(SLACK))));
        return HealthCheckResponse.named("coscale-loops").status(verdict.up())
                .withData("reason", verdict.reason())
                .withData("leaseLoopTickedAgo", ago(leaseTick))
                .withData("schedulerTickedAgo", ago(schedulerTick))
                .withData("eventLoopTickedAgo", ago(eventLoopTick))
                .build();
    }

    static String ago(Optional<Duration> since) {
        return since.map(d -> d.toMillis() + " ms").orElse("never");
    }
}
