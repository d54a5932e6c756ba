package io.coscale.control;

import io.coscale.aws.AwsCallException;
import io.coscale.aws.EcsGateway;
import io.coscale.aws.QueueGateway;
import io.coscale.aws.ServiceState;
import io.coscale.concurrent.Backoff;
import io.coscale.concurrent.Futures;
import io.coscale.control.budget.EcsBudget;
import io.coscale.control.budget.TaskReadBudget;
import io.coscale.domain.Pool;
import io.coscale.domain.QueueDepth;
import io.coscale.lease.CountForwarding;
import io.coscale.lease.Leadership;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * What every pool's controller shares: the gateways (each called on its own bounded threads), the one door of its ECS
 * writes ({@link EcsWrites}: budgets, lease, protection batcher), the task-read budget, the protection take-over's
 * sweeps by cluster, the clock, and the pacing settings.
 */
record ControlContext(EcsGateway ecsGateway, QueueGateway queueGateway, EcsWrites writes, TaskReadBudget taskReads,
        ControlThreads threads, Clock clock, Duration scaleUpSpacing, Duration scaleUpSpacingMax, int eventsPerPool, Duration exitSettle,
        ControlMetrics metrics, Leadership leadership, CountForwarding counts, ClusterSweeps sweeps) {

    /** Retries of the reads a reconcile pass makes: a passing 5xx or throttle should not cost a whole pass. */
    static final Backoff READ_RETRIES = new Backoff(3, 50, 500);
    /** Pauses between re-tries of a scale-up that failed: the delta waits, it is never dropped. */
    static final Backoff SCALE_UP_RETRIES = new Backoff(Integer.MAX_VALUE, 200, 5_000);

    /** The shared parts, for one replica alone. */
    static ControlContext create(EcsGateway ecs, QueueGateway queues, EcsBudget budget, TaskReadBudget taskReads,
            EcsBudget tags, ControlThreads threads, Clock clock, Duration scaleUpSpacing, Duration scaleUpSpacingMax, int eventsPerPool,
            Duration exitSettle, ControlMetrics metrics) {
        return create(ecs, queues, budget, taskReads, tags, threads, clock, scaleUpSpacing, scaleUpSpacingMax, eventsPerPool,
                exitSettle, metrics, Leadership.ALONE, CountForwarding.NONE);
    }

    /** As above, for one replica of several: ECS writes only while {@code leadership} holds; counts else forwarded. */
    static ControlContext create(EcsGateway ecs, QueueGateway queues, EcsBudget budget, TaskReadBudget taskReads,
            EcsBudget tags, ControlThreads threads, Clock clock, Duration scaleUpSpacing, Duration scaleUpSpacingMax, int eventsPerPool,
            Duration exitSettle, ControlMetrics metrics, Leadership leadership, CountForwarding counts) {
        return new ControlContext(ecs, queues, new EcsWrites(ecs, threads, leadership, budget, tags, metrics), taskReads,
                threads, clock, scaleUpSpacing, scaleUpSpacingMax, eventsPerPool, exitSettle, metrics, leadership, counts,
                new ClusterSweeps(ecs, taskReads, threads));
    }

    /** Now on the monotonic clock intervals are measured by ({@link System#nanoTime()} in production). */
    long nanoTime() {
        return threads.nanoClock().getAsLong();
    }

    /** An ECS call on the ECS threads. */
    <T> CompletableFuture<T> ecs(Function<EcsGateway, T> call) {
        return Futures.on(threads.ecsCalls(), () -> call.apply(ecsGateway));
    }

    /** An SQS call on the SQS threads. */
    <T> CompletableFuture<T> sqs(Function<QueueGateway, T> call) {
        return Futures.on(threads.sqsCalls(), () -> call.apply(queueGateway));
    }

    /** An ECS read, transient failures retried briefly without holding a thread between attempts. */
    <T> CompletableFuture<T> ecsRead(Function<EcsGateway, T> call) {
        return READ_RETRIES.runAsync(() -> ecs(call), threads.timer(), threads.jitter());
    }

    /** A pool's service as DescribeServices shows it now, read as {@link #ecsRead} reads. */
    CompletableFuture<ServiceState> service(Pool pool) {
        return ecsRead(ecs -> ecs.describeServices(pool.cluster(), List.of(pool.service()))).thenApply(found -> found
                .stream().findFirst().orElseThrow(() -> new AwsCallException("service " + pool.service()
                        + " not found in cluster " + pool.cluster(), false, false, "ServiceNotFoundException", null)));
    }

    /**
     * A queue's depth: on the non-blocking SQS client when the gateway has one (no thread waits; what follows runs on
     * the step threads, not the client's event loop), else on the SQS threads. Not retried here (see {@link #depthRead}).
     */
    CompletableFuture<QueueDepth> depth(String queueUrl) {
        return queueGateway.wire()
                .map(wire -> wire.depth(queueUrl).thenApplyAsync(depth -> depth, threads.steps()))
                .orElseGet(() -> sqs(queues -> queues.depth(queueUrl)));
    }

    /** A queue's depth for a reconcile pass, retried as {@link #ecsRead} is. */
    CompletableFuture<QueueDepth> depthRead(String queueUrl) {
        return READ_RETRIES.runAsync(() -> depth(queueUrl), threads.timer(), threads.jitter());
    }
}
