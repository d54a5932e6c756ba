package io.coscale.control.budget;

import io.coscale.concurrent.TokenBucket;
import io.coscale.concurrent.TokenQueue;
import io.coscale.config.EcsConfig;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * The budget coscale keeps for ECS's task reads, shared by every pool and cluster of this replica, since ECS meters
 * them per account and Region. AWS's "Request throttling for the Amazon ECS API" puts DescribeTasks and ListTasks in
 * one bucket ("cluster resource read actions", with DescribeContainerInstances, ListAttributes and
 * ListContainerInstances): 100 burst, refilled at 20 per second. GetTaskProtection is not in it: it shares the
 * "task protection actions" bucket (200, 80 per second) with UpdateTaskProtection.
 *
 * <p>Two kinds of callers spend it. Claims' DescribeTasks (and the reconciler's stop checks) take the tokens there are
 * and never wait: a worker is waiting for the answer. The protection take-over after a start-up or a lease takeover
 * (a ListTasks per pool: a thousand at once at a thousand pools) waits its turn as a future, and only takes tokens
 * while more than {@code takeoverReserve} are left ({@link io.coscale.concurrent.TokenReserve}), so that claims made during
 * it still find ECS's bucket with room. Claims alone may hold the budget below the reserve (15 a second with the
 * defaults); then the first take-over read that has waited {@code takeoverMaxWait} with none served goes anyway, on
 * a token below the reserve, and the next no sooner than {@code takeoverMaxWait} later (aging, in
 * {@link io.coscale.concurrent.TokenReserve}): the take-over goes on, slowly, and the protection the last leader set is
 * taken over before it runs out.
 */
@Singleton
public class TaskReadBudget {

    private final TokenBucket bucket;
    private final TokenQueue takeovers;

    @Inject
    TaskReadBudget(EcsConfig config) {
        this(new TokenBucket(config.taskReads().burst(), config.taskReads().ratePerSecond()),
                config.taskReads().takeoverReserve(), config.taskReads().takeoverMaxWait());
    }

    public TaskReadBudget(TokenBucket bucket, int takeoverReserve, Duration takeoverMaxWait) {
        this.bucket = bucket;
        this.takeovers = new TokenQueue(bucket, takeoverReserve, takeoverMaxWait, "coscale-read-budget");
    }

    /** Reads that go now whatever the budget holds (a claim's lookup): they take the tokens there are. */
    public void spent(int calls) {
        bucket.tryAcquire(calls, 0);
    }

    /**
     * Completes when a take-over read may go: the budget holds more than the reserve, or the read has waited its
     * longest. Never blocks.
     */
    public CompletableFuture<Void> takeoverTurn() {
        return takeovers.acquire();
    }

    /** Take-over reads waiting for their turn now. */
    public int takeoversWaiting() {
        return takeovers.waiting();
    }

    @PreDestroy
    public void close() {
        takeovers.close();
    }
}
