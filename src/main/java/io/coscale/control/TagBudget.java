package io.coscale.control;

import io.coscale.config.EcsConfig;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.util.concurrent.CompletableFuture;

/**
 * The TagResource budget all pools share, for the tag that records a task's exit: ECS meters TagResource per account
 * and Region (AWS's "Request throttling for the Amazon ECS API": 20 burst, refilled at 10 a second), so exit records
 * wait for it as UpdateService calls wait for theirs ({@link UpdateServiceBudget}), and a mass exit across pools is
 * paced instead of throttled.
 *
 * <p>Waiting for a token holds no thread ({@link TokenQueue}). The queue keeps no reserve (only exit records spend
 * the budget), so its aging never applies.
 */
@Singleton
public class TagBudget {

    private final TokenQueue queue;

    @Inject
    TagBudget(EcsConfig config) {
        this(new TokenBucket(config.tags().burst(), config.tags().ratePerSecond()));
    }

    TagBudget(TokenBucket bucket) {
        this.queue = new TokenQueue(bucket, "coscale-tag-budget");
    }

    /** Completes once one TagResource call may go out; the token is taken for the caller. Never blocks. */
    CompletableFuture<Void> acquire() {
        return queue.acquire();
    }

    @PreDestroy
    void close() {
        queue.close();
    }
}
