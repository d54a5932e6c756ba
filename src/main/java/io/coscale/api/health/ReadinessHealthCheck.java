package io.coscale.api.health;

import io.coscale.api.WarmUp;
import io.coscale.config.LeaseConfig;
import io.coscale.control.Pools;
import io.coscale.control.Reconciler;
import io.coscale.lease.LeaderLink;
import io.coscale.lease.LeaseKeeper;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Ready while this replica can serve requests now, leader or follower: the load balancer's health check. The rules
 * are {@link HealthRules#ready}.
 *
 * <p>One pool's failure (a deleted queue, a missing cluster or service) never makes coscale unready: the other
 * pools' claims, releases and jobs still work, and taking coscale out of the load balancer would stop them all
 * while a restart fixes nothing. Such a pool shows in its status (lastError), its events, the
 * {@code coscale_pool_healthy} metric and {@code failingPools} here. Only ECS or SQS silent for every pool
 * makes the leader unready: it can then serve nothing (a claim needs ECS, a job needs SQS), and a replacement
 * elsewhere may reach them where this task cannot.
 */
@Readiness
@ApplicationScoped
public class ReadinessHealthCheck implements HealthCheck {

    private final Pools plane;
    private final Reconciler reconciler;
    private final LeaseKeeper lease;
    private final LeaderLink leaderLink;
    private final HealthFacts facts;
    private final WarmUp warmUp;
    private final Duration storeBound;
    private final Clock clock = Clock.systemUTC();

    ReadinessHealthCheck(Pools plane, Reconciler reconciler, LeaseKeeper lease, LeaderLink leaderLink,
            HealthFacts facts, WarmUp warmUp, LeaseConfig config) {
        this.plane = plane;
        this.reconciler = reconciler;
        this.lease = lease;
        this.leaderLink = leaderLink;
        this.facts = facts;
        this.warmUp = warmUp;
        this.storeBound = config.duration();
    }

    @Override
    public HealthCheckResponse call() {
        Optional<Duration> sincePass = reconciler.lastCompletedAt().map(at -> Duration.between(at, clock.instant()));
        Optional<String> leader = lease.leaderId();
        Optional<Duration> storeAnswered = lease.sinceStoreAnswered();
        HealthRules.Verdict verdict = HealthRules.ready(new HealthRules.Readiness(plane.isLoaded(), storeAnswered,
                storeBound, leader, lease.selfId(), lease.isLeader() ? facts.leadingFor() : Optional.empty(), sincePass,
                reconciler.interval().multipliedBy(3), reconciler.ecsReachable(), reconciler.sqsReachable(),
                leaderLink.sinceUnansweredCall(), warmUp.warming()));
        List<String> failing = plane.pools().stream().filter(p -> p.status().lastError() != null)
                .map(p -> p.pool().name()).sorted().toList();
        return HealthCheckResponse.named("coscale-control-plane")
                .status(verdict.up())
                .withData("reason", verdict.reason())
                .withData("leader", leader.orElse("none known"))
                .withData("self", lease.selfId())
                .withData("leaseStoreAnsweredAgo", LivenessHealthCheck.ago(storeAnswered))
                .withData("pools", plane.pools().size())
                .withData("poolsLoaded", plane.isLoaded())
                .withData("warmingUp", warmUp.warming())
                .withData("ecsReachable", reconciler.ecsReachable())
                .withData("sqsReachable", reconciler.sqsReachable())
                .withData("lastReconcileAt", reconciler.lastCompletedAt().map(Object::toString).orElse("never"))
                .withData("failingPools", String.join(",", failing))
                .build();
    }
}
