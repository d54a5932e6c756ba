package io.coscale.api.health;

import io.coscale.control.ControlPlane;
import io.coscale.control.Reconciler;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/**
 * Ready when coscale can do its job: pools loaded, and the last reconcile pass — which read ECS and SQS for
 * every pool — finished within three intervals with both reachable. The load balancer sends traffic only then.
 */
@Readiness
@ApplicationScoped
public class ReadinessHealthCheck implements HealthCheck {

    private final ControlPlane plane;
    private final Reconciler reconciler;

    ReadinessHealthCheck(ControlPlane plane, Reconciler reconciler) {
        this.plane = plane;
        this.reconciler = reconciler;
    }

    @Override
    public HealthCheckResponse call() {
        Optional<Instant> last = reconciler.lastCompletedAt();
        Duration staleAfter = reconciler.interval().multipliedBy(3);
        boolean recent = last.map(at -> at.isAfter(Instant.now().minus(staleAfter))).orElse(false);
        boolean up = plane.isLoaded() && recent && reconciler.ecsReachable() && reconciler.sqsReachable();
        HealthCheckResponseBuilder response = HealthCheckResponse.named("coscale-control-plane")
                .status(up)
                .withData("pools", plane.pools().size())
                .withData("poolsLoaded", plane.isLoaded())
                .withData("ecsReachable", reconciler.ecsReachable())
                .withData("sqsReachable", reconciler.sqsReachable())
                .withData("lastReconcileAt", last.map(Instant::toString).orElse("never"));
        return response.build();
    }
}
