package io.coscale.api.health;

import io.coscale.control.Pools;
import io.coscale.control.Reconciler;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Ready while coscale can serve: pools loaded, a reconcile pass completed within three intervals (whatever each
 * pool's result), and ECS and SQS each answered at least one call of that pass. The load balancer's health check.
 *
 * <p>One pool's failure (a deleted queue, a missing cluster or service) never makes coscale unready: the other
 * pools' claims, releases and jobs still work, and taking coscale out of the load balancer would stop them all
 * while a restart fixes nothing. Such a pool shows in its status (lastError), its events, the
 * {@code coscale_pool_healthy} metric and {@code failingPools} here. Only ECS or SQS silent for every pool
 * makes coscale unready: it can then serve nothing (a claim needs ECS, a job needs SQS), and a replacement
 * elsewhere may reach them where this task cannot.
 */
@Readiness
@ApplicationScoped
public class ReadinessHealthCheck implements HealthCheck {

    private final Pools plane;
    private final Reconciler reconciler;

    ReadinessHealthCheck(Pools plane, Reconciler reconciler) {
        this.plane = plane;
        this.reconciler = reconciler;
    }

    @Override
    public HealthCheckResponse call() {
        Optional<Instant> last = reconciler.lastCompletedAt();
        Duration staleAfter = reconciler.interval().multipliedBy(3);
        boolean recent = last.map(at -> at.isAfter(Instant.now().minus(staleAfter))).orElse(false);
        boolean up = plane.isLoaded() && recent && reconciler.ecsReachable() && reconciler.sqsReachable();
        List<String> failing = plane.pools().stream().filter(p -> p.status().lastError() != null)
                .map(p -> p.pool().name()).sorted().toList();
        return HealthCheckResponse.named("coscale-control-plane")
                .status(up)
                .withData("pools", plane.pools().size())
                .withData("poolsLoaded", plane.isLoaded())
                .withData("ecsReachable", reconciler.ecsReachable())
                .withData("sqsReachable", reconciler.sqsReachable())
                .withData("lastReconcileAt", last.map(Instant::toString).orElse("never"))
                .withData("failingPools", String.join(",", failing))
                .build();
    }
}
