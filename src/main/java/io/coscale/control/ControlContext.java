package io.coscale.control;

import io.coscale.aws.AwsCallException;
import io.coscale.aws.EcsGateway;
import io.coscale.aws.QueueGateway;
import io.coscale.aws.TaskProtections;
import io.coscale.concurrent.Attempts;
import io.coscale.concurrent.Backoff;
import io.coscale.concurrent.Batcher;
import io.coscale.concurrent.Futures;
import io.coscale.control.budget.EcsBudget;
import io.coscale.control.budget.TaskReadBudget;
import io.coscale.domain.Pool;
import io.coscale.domain.QueueDepth;
import io.coscale.lease.CountForwarding;
import io.coscale.lease.Leadership;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * What every pool's controller shares: the gateways (each called on its own bounded threads), the UpdateService,
 * task-read and tag budgets, the protection batcher, the protection take-over's sweeps by cluster, the clock, and the
 * pacing settings.
 */
record ControlContext(EcsGateway ecsGateway, QueueGateway queueGateway, EcsBudget budget,
        TaskReadBudget taskReads, EcsBudget tags, Batcher<ProtectionShard, ProtectionChange, ProtectionCalls.Answer> protection,
        ControlThreads threads, Clock clock, Duration scaleUpSpacing, Duration scaleUpSpacingMax, int eventsPerPool, Duration exitSettle,
        ControlMetrics metrics, Leadership leadership, CountForwarding counts, ClusterSweeps sweeps) {

    /** Retries of one ECS change inside a serialized step: short, so that one pool never stalls for long. */
    static final Backoff CHANGE_RETRIES = new Backoff(4, 50, 1_000);
    /** Retries of the reads a reconcile pass makes: a passing 5xx or throttle should not cost a whole pass. */
    static final Backoff READ_RETRIES = new Backoff(3, 50, 500);
    /** Pauses between re-tries of a scale-up that failed: the delta waits, it is never dropped. */
    static final Backoff SCALE_UP_RETRIES = new Backoff(Integer.MAX_VALUE, 200, 5_000);

    /** The shared parts, with the protection batcher merging UpdateTaskProtection calls over {@code ecs}. */
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
        Batcher<ProtectionShard, ProtectionChange, ProtectionCalls.Answer> protection = new Batcher<>(10, threads.ecsCalls(),
                (shard, changes) -> leadership.fenced(() -> ProtectionCalls.apply(ecs, shard.cluster(), changes)),
                ProtectionChange::sameCall);
        return new ControlContext(ecs, queues, budget, taskReads, tags, protection, threads, clock, scaleUpSpacing,
                scaleUpSpacingMax, eventsPerPool, exitSettle, metrics, leadership, counts,
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

    /**
     * An ECS write on the ECS threads, made only while this replica holds the lease (checked right before it, and
     * counted in flight until it ends: see {@link Leadership#fenced}).
     */
    <T> CompletableFuture<T> ecsWrite(Function<EcsGateway, T> call) {
        return ecs(gateway -> leadership.fenced(() -> call.apply(gateway)));
    }

    /** An SQS call on the SQS threads. */
    <T> CompletableFuture<T> sqs(Function<QueueGateway, T> call) {
        return Futures.on(threads.sqsCalls(), () -> call.apply(queueGateway));
    }

    /** An ECS read, transient failures retried briefly without holding a thread between attempts. */
    <T> CompletableFuture<T> ecsRead(Function<EcsGateway, T> call) {
        return READ_RETRIES.runAsync(() -> ecs(call), threads.timer(), threads.jitter());
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

    /**
     * An ECS write metered by {@code budget}: one token per attempt, the lease checked right before each, transient
     * failures retried briefly. A write that waits for its token holds no thread. Its failure is as uncertain as its
     * most uncertain attempt ({@link Backoff#runWriteAsync}).
     */
    private CompletableFuture<Void> budgetedWrite(EcsBudget budget, Consumer<EcsGateway> write) {
        return CHANGE_RETRIES.runWriteAsync(() -> budget.acquire().thenCompose(turn -> ecsWrite(gateway -> {
            write.accept(gateway);
            return (Void) null;
        })), threads.timer(), threads.jitter());
    }

    /** Whether a protection change failed because ECS did not find the task ({@link TaskProtections#MISSING}). */
    static boolean notFound(Throwable failure) {
        return Futures.cause(failure) instanceof AwsCallException e && TaskProtections.MISSING.equals(e.errorCode());
    }

    /**
     * Whether a failed ECS write surely changed nothing: refused before it was applied, in every attempt. Otherwise
     * ECS may have applied it although coscale was not told. A write this replica stopped making because it no longer
     * leads counts as maybe applied: an earlier attempt may have been.
     */
    static boolean surelyNotApplied(Throwable failure) {
        return !Attempts.maybeApplied(failure);
    }

    /**
     * Records an exit on its task (a TagResource) through the {@link EcsBudget#tags tags budget}: ECS meters
     * TagResource per account, so a mass exit across pools waits its turn instead of being throttled. The same tag
     * written twice is one record.
     */
    CompletableFuture<Void> recordExit(String taskArn, int desiredCount) {
        return budgetedWrite(tags, gateway -> gateway.recordExit(taskArn, desiredCount));
    }

    /** Sets a pool's desiredCount through the UpdateService budget. */
    CompletableFuture<Void> updateService(Pool pool, int desiredCount) {
        return budgetedWrite(budget, gateway -> {
            metrics.updateServiceCall(pool.name());
            try {
                gateway.setDesiredCount(pool.cluster(), pool.service(), desiredCount);
            } catch (AwsCallException e) {
                if (e.isThrottled()) {
                    metrics.updateServiceThrottled(pool.name());
                }
                throw e;
            }
        });
    }

    /**
     * A protection change for one task, merged with others of its cluster and shard. An enable ECS refused because the
     * task is not running (stopping, stopped) fails with {@link TaskRejectedException}: it is no live task, whatever an
     * earlier DescribeTasks said. Any other refusal fails as ECS not answering: a transient {@link AwsCallException}
     * with the refusal as its code ({@link #notFound}: MISSING, a task ECS does not find, gone or not yet visible).
     */
    CompletableFuture<Optional<Instant>> changeProtection(String cluster, ProtectionChange change) {
        return protection.submit(ProtectionShard.of(cluster, change.taskArn()), change).thenApply(answer -> {
            if (answer.refusal() == null) {
                return answer.expiry();
            }
            String why = "ECS refused to protect task " + change.taskArn() + ": " + answer.refusal();
            throw TaskProtections.TASK_NOT_VALID.equals(answer.refusal()) ? new TaskRejectedException(why)
                    : new AwsCallException(why, true, false, answer.refusal(), null);
        });
    }
}
