package io.coscale.control.budget;

import io.coscale.concurrent.TokenBucket;
import io.coscale.concurrent.TokenQueue;
import io.coscale.config.EcsConfig;
import io.coscale.config.EcsConfig.TakeoverBy;
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
 * <p>Two kinds of callers spend it. Claims' DescribeTasks take the tokens there are and never wait: a worker is waiting
 * for the answer. The protection take-over after a start-up or a lease takeover (ListTasks and DescribeTasks per 100
 * tasks of each cluster, or a ListTasks per pool where that costs less), and the reconciler's stop checks (DescribeTasks
 * per 100 known tasks of each cluster), wait their turn as a future, and only takes tokens while more than {@code takeoverReserve} are left ({@link io.coscale.concurrent.TokenReserve}), so that claims made during
 * it still find ECS's bucket with room. Claims alone may hold the budget below the reserve (15 a second with the
 * defaults); then the first take-over read that has waited {@code takeoverMaxWait} with none served goes anyway, on
 * a token below the reserve, and the next no sooner than {@code takeoverMaxWait} later (aging, in
 * {@link io.coscale.concurrent.TokenReserve}): the take-over goes on, slowly, and the protection the last leader set is
 * taken over before it runs out.
 *
 * <p>The take-over's GetTaskProtection calls are paced too, by a budget of their own: ECS meters them in another bucket,
 * with UpdateTaskProtection (200 burst, 80 a second), which claims, renewals and releases spend; the take-over keeps to
 * {@code protection-reads-per-second} (40) of it.
 */
@Singleton
public class TaskReadBudget {

    private final TokenBucket bucket;
    private final TokenQueue takeovers;
    private final TokenQueue protectionReads;
    private final TakeoverBy takeoverBy;

    @Inject
    TaskReadBudget(EcsConfig config) {
        this(new TokenBucket(config.taskReads().burst(), config.taskReads().ratePerSecond()),
                config.taskReads().takeoverReserve(), config.taskReads().takeoverMaxWait(),
                new TokenBucket(config.taskReads().protectionReadsBurst(), config.taskReads().protectionReadsPerSecond()),
                config.taskReads().takeoverBy());
    }

    /** With the default GetTaskProtection budget (50, 40 a second) and the take-over's reads picked by cost. */
    public TaskReadBudget(TokenBucket bucket, int takeoverReserve, Duration takeoverMaxWait) {
        this(bucket, takeoverReserve, takeoverMaxWait, new TokenBucket(50, 40), TakeoverBy.AUTO);
    }

    /**
     * @param protectionReads the take-over's GetTaskProtection budget (a share of ECS's task protection bucket, which
     *     UpdateTaskProtection spends too)
     * @param takeoverBy how the take-over finds a pool's tasks
     */
    public TaskReadBudget(TokenBucket bucket, int takeoverReserve, Duration takeoverMaxWait, TokenBucket protectionReads,
            TakeoverBy takeoverBy) {
        this.bucket = bucket;
        this.takeovers = new TokenQueue(bucket, takeoverReserve, takeoverMaxWait, "coscale-read-budget");
        this.protectionReads = new TokenQueue(protectionReads, "coscale-protection-read-budget");
        this.takeoverBy = takeoverBy;
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

    /** Completes when one of the take-over's GetTaskProtection calls may go. Never blocks. */
    public CompletableFuture<Void> protectionReadTurn() {
        return protectionReads.acquire();
    }

    /** How the take-over finds a pool's tasks: by cost, by cluster or by service. */
    public TakeoverBy takeoverBy() {
        return takeoverBy;
    }

    /** Take-over reads waiting for their turn now. */
    public int takeoversWaiting() {
        return takeovers.waiting();
    }

    @PreDestroy
    public void close() {
        takeovers.close();
        protectionReads.close();
    }
}
