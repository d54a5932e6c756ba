package io.coscale.control;

import io.coscale.config.EcsConfig;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.util.concurrent.CompletableFuture;

/**
 * The UpdateService budget all pools share: a token bucket sized like ECS's own account limit (50 burst,
 * 5 per second by default), so coscale slows itself down instead of being throttled.
 *
 * <p>Waiting for a token holds no thread ({@link TokenQueue}): a caller gets a future, waiters are served first come
 * first served, and one timer wakes up when the next token is due. The queue keeps no reserve, so its aging (for a
 * reserve that others hold the bucket below) never applies: every token goes to the waiters. So a pool whose change waits for the budget never
 * keeps another pool, a claim or a batcher from running.
 */
@Singleton
public class UpdateServiceBudget {

    private final TokenQueue queue;

    @Inject
    UpdateServiceBudget(EcsConfig config) {
        this(new TokenBucket(config.updateService().burst(), config.updateService().ratePerSecond()));
    }

    UpdateServiceBudget(TokenBucket bucket) {
        this.queue = new TokenQueue(bucket, "coscale-budget");
    }

    /** Completes once one call may go out; the token is taken for the caller. Never blocks. */
    public CompletableFuture<Void> acquire() {
        return queue.acquire();
    }

    /** Callers waiting for a token now. */
    public int waiting() {
        return queue.waiting();
    }

    @PreDestroy
    void close() {
        queue.close();
    }
}
