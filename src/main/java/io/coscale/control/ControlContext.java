package io.coscale.control;

import io.coscale.aws.AwsCallException;
import io.coscale.aws.EcsGateway;
import io.coscale.aws.QueueGateway;
import io.coscale.domain.Pool;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;

/**
 * What every pool's controller shares: the gateways, the UpdateService budget, the protection batcher, the
 * threads, and the pacing settings.
 */
record ControlContext(EcsGateway ecs, QueueGateway queue, UpdateServiceBudget budget,
        Batcher<String, ProtectionChange, Optional<Instant>> protection, Executor executor,
        ScheduledExecutorService timer, Clock clock, Duration scaleUpSpacing, Duration scaleUpSpacingMax, int eventsPerPool,
        Duration exitSettle, ControlMetrics metrics) {

    /** Retries of one ECS change inside a serialized step: short, so that one pool never stalls for long. */
    static final Backoff CHANGE_RETRIES = new Backoff(4, 50, 1_000);
    /** Retries of the reads a reconcile pass makes: a passing 5xx or throttle should not cost a whole pass. */
    static final Backoff READ_RETRIES = new Backoff(3, 50, 500);
    /** Pauses between re-tries of a scale-up that failed: the delta waits, it is never dropped. */
    static final Backoff SCALE_UP_RETRIES = new Backoff(Integer.MAX_VALUE, 200, 5_000);

    /** Sets a pool's desiredCount: one budget token per attempt, transient failures retried briefly. */
    void updateService(Pool pool, int desiredCount) throws InterruptedException {
        CHANGE_RETRIES.run(() -> {
            try {
                budget.acquire();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AwsCallException("interrupted", false, false, "Interrupted", e);
            }
            metrics.updateServiceCall(pool.name());
            try {
                ecs.setDesiredCount(pool.cluster(), pool.service(), desiredCount);
            } catch (AwsCallException e) {
                if (e.isThrottled()) {
                    metrics.updateServiceThrottled(pool.name());
                }
                throw e;
            }
            return null;
        });
    }
}
