package io.coscale.control;

import io.coscale.config.EcsConfig;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;

/**
 * The UpdateService budget all pools share: a token bucket sized like ECS's own account limit (50 burst,
 * 5 per second by default), so coscale slows itself down instead of being throttled.
 */
@Singleton
public class UpdateServiceBudget {

    private final TokenBucket bucket;

    @Inject
    UpdateServiceBudget(EcsConfig config) {
        this(new TokenBucket(config.updateService().burst(), config.updateService().ratePerSecond()));
    }

    UpdateServiceBudget(TokenBucket bucket) {
        this.bucket = bucket;
    }

    /** Waits until one call may go out, and takes it. */
    public void acquire() throws InterruptedException {
        while (!bucket.tryAcquire()) {
            long nanos = bucket.nanosUntilAvailable();
            Thread.sleep(nanos / 1_000_000, (int) (nanos % 1_000_000));
        }
    }
}
