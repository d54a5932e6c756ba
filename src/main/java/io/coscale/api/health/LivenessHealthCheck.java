package io.coscale.api.health;

import io.coscale.control.Reconciler;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Liveness;

/**
 * Alive while the reconcile loop keeps starting passes: a stuck scheduler is the one failure a restart
 * fixes. An unreachable ECS or SQS is not a reason to restart, so it does not count here (see readiness).
 */
@Liveness
@ApplicationScoped
public class LivenessHealthCheck implements HealthCheck {

    private static final Duration START_GRACE = Duration.ofMinutes(2);

    private final Reconciler reconciler;
    private final Instant startedAt = Instant.now();

    LivenessHealthCheck(Reconciler reconciler) {
        this.reconciler = reconciler;
    }

    @Override
    public HealthCheckResponse call() {
        Optional<Instant> attempt = reconciler.lastAttemptAt();
        Duration allowed = reconciler.interval().multipliedBy(5).plus(Duration.ofSeconds(30));
        Instant now = Instant.now();
        boolean up = attempt.map(at -> at.isAfter(now.minus(allowed))).orElse(startedAt.isAfter(now.minus(START_GRACE)));
        return HealthCheckResponse.named("coscale-reconcile-loop").status(up)
                .withData("lastReconcileAttemptAt", attempt.map(Instant::toString).orElse("never"))
                .build();
    }
}
