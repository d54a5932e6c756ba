package io.coscale.control.budget;

import io.coscale.concurrent.TokenBucket;
import io.coscale.concurrent.TokenQueue;
import io.coscale.config.EcsConfig;
import java.util.concurrent.CompletableFuture;

/**
 * A budget all pools share for one kind of ECS write, sized like the bucket ECS meters it by per account and Region,
 * so that coscale slows itself down instead of being throttled: UpdateService (50 burst, 5 per second by default,
 * {@code coscale.ecs.update-service.*}) and TagResource, the tag that records a task's exit (AWS's "Request
 * throttling for the Amazon ECS API": 20 burst, refilled at 10 a second; coscale's 19 and 9 by default, a margin for
 * the buckets' refills not falling at the same instants, {@code coscale.ecs.tags.*}), so that a mass exit across
 * pools is paced instead of throttled.
 *
 * <p>Waiting for a token holds no thread ({@link TokenQueue}): a caller gets a future, waiters are served first come
 * first served, and one timer wakes up when the next token is due. The queue keeps no reserve, so its aging (for a
 * reserve that others hold the bucket below) never applies: every token goes to the waiters. So a pool whose change
 * waits for the budget never keeps another pool, a claim or a batcher from running.
 */
public final class EcsBudget {

    private final TokenQueue queue;

    /** @param threadName the name of the timer's thread, which only wakes the waiters up */
    public EcsBudget(TokenBucket bucket, String threadName) {
        this.queue = new TokenQueue(bucket, threadName);
    }

    /** The UpdateService budget, sized by {@code coscale.ecs.update-service.*}. */
    public static EcsBudget updateService(EcsConfig config) {
        return new EcsBudget(new TokenBucket(config.updateService().burst(), config.updateService().ratePerSecond()),
                "coscale-budget");
    }

    /** The TagResource budget, sized by {@code coscale.ecs.tags.*}. */
    public static EcsBudget tags(EcsConfig config) {
        return new EcsBudget(new TokenBucket(config.tags().burst(), config.tags().ratePerSecond()), "coscale-tag-budget");
    }

    /** Completes once one call may go out; the token is taken for the caller. Never blocks. */
    public CompletableFuture<Void> acquire() {
        return queue.acquire();
    }

    /** Callers waiting for a token now. */
    public int waiting() {
        return queue.waiting();
    }

    /** Stops the timer; waiters left are never served. */
    public void close() {
        queue.close();
    }
}
