package io.coscale.control;

import io.coscale.aws.EcsGateway;
import io.coscale.aws.QueueGateway;
import io.coscale.aws.ServiceState;
import io.coscale.concurrent.Futures;
import io.coscale.concurrent.TokenBucket;
import io.coscale.config.EcsConfig.TakeoverBy;
import io.coscale.control.budget.EcsBudget;
import io.coscale.control.budget.TaskReadBudget;
import io.coscale.domain.OutgoingMessage;
import io.coscale.domain.Pool;
import io.coscale.domain.ReleaseDecision;
import io.coscale.domain.SendOutcome;
import io.coscale.lease.CountForwarding;
import io.coscale.lease.Leadership;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.LongSupplier;
import java.util.random.RandomGenerator;

/**
 * One coscale replica's control path for one pool, as {@link Pools}, {@link Workers} and {@link Reconciler} wire it,
 * but on executors, a clock and a jitter the caller gives: the deterministic simulation ({@code io.coscale.sim}) runs
 * the real {@link PoolController}, {@link TaskResolver}, {@link Release}, {@link ScaleUp}, {@link PoolTasks} and
 * {@link QueueSender} through it. Claims and releases go through the resolver, as {@code /v1/claim} and {@code /v1/release} do.
 */
public final class SimulatedReplica {

    private final PoolController pool;
    private final TaskResolver resolver;
    private final ControlContext ctx;
    private final EcsBudget budget;
    private final EcsBudget tags;
    private final QueueSender sender;

    /**
     * @param executor runs the steps, the ECS and SQS calls and the timer (one executor: the simulation orders them)
     * @param nanoClock the timer's clock
     * @param takeoverBy how the protection take-over reads (one pool: by cost, its service)
     */
    public SimulatedReplica(Pool pool, EcsGateway ecs, QueueGateway queues, ScheduledExecutorService executor,
            LongSupplier nanoClock, Clock clock, RandomGenerator jitter, Leadership leadership, CountForwarding counts,
            Duration exitSettle, TakeoverBy takeoverBy) {
        // Budgets ECS's size would never run dry in a simulated minute of one pool: large, on the virtual clock.
        this.budget = new EcsBudget(new TokenBucket(10_000, 1_000, nanoClock), "sim-budget");
        this.tags = new EcsBudget(new TokenBucket(10_000, 1_000, nanoClock), "sim-tag-budget");
        this.ctx = ControlContext.create(ecs, queues, budget,
                new TaskReadBudget(new TokenBucket(10_000, 1_000, nanoClock), 25, Duration.ofSeconds(10),
                        new TokenBucket(10_000, 1_000, nanoClock), takeoverBy),
                tags,
                new ControlThreads(executor, executor, executor, executor, nanoClock, jitter), clock, Duration.ofMillis(100),
                Duration.ofSeconds(2), 200, exitSettle, new ControlMetrics(new SimpleMeterRegistry()), leadership, counts);
        this.pool = new PoolController(pool, ctx);
        this.resolver = new TaskResolver(ctx, () -> List.of(this.pool), Duration.ofSeconds(2), exitSettle);
        // As Intake sends, but on the gateway's own sendBatch, answered at once: the simulation models SqsWire's calls.
        this.sender = new QueueSender((url, messages) -> Futures.start(
                () -> CompletableFuture.completedFuture(queues.sendBatch(url, messages))), executor);
    }

    /**
     * The send of {@code POST /v1/pools/{pool}/jobs:batch}, as {@link Intake} makes it: the jobs through
     * {@link QueueSender} onto the pool's queue, an outcome each. Counting the accepted ones is {@link #submitted}.
     */
    public CompletableFuture<List<SendOutcome>> send(List<OutgoingMessage> jobs) {
        return sender.send(pool.pool().queueUrl(), jobs);
    }

    /** {@code POST /v1/claim}. */
    public CompletableFuture<ClaimResult> claim(String taskArn) {
        return resolver.resolve(taskArn, Optional.empty())
                .thenCompose(task -> task.pool().claim(task.task().taskArn(), task.task().startedBy()));
    }

    /** {@code POST /v1/release}. */
    public CompletableFuture<ReleaseDecision> release(String taskArn) {
        return resolver.resolve(taskArn, Optional.empty()).thenCompose(task -> task.pool().release(task.task()));
    }

    /** One reconcile pass for the pool, as {@link Reconciler} makes it: the service, then the queue, then the step. */
    public CompletableFuture<Void> reconcile() {
        long observedAt = ctx.nanoTime();
        Pool p = pool.pool();
        return ctx.ecsRead(ecs -> ecs.describeServices(p.cluster(), List.of(p.service()))).thenCompose(found -> {
            ServiceState service = found.isEmpty() ? null : found.get(0);
            if (service == null) {
                return CompletableFuture.completedFuture(null);
            }
            long mark = pool.submissionMark();
            return ctx.depthRead(p.queueUrl()).thenCompose(depth -> pool.reconcile(service, depth, observedAt, mark));
        });
    }

    /** The renewal on its own schedule ({@link ProtectionRenewal}). */
    public CompletableFuture<Void> renewProtection() {
        return pool.renewProtection();
    }

    /** This replica took the lease over ({@link Pools#leadershipChanged}). */
    public CompletableFuture<Void> takeOver() {
        return pool.takeOver();
    }

    /** Jobs SQS accepted: counted by the leader, forwarded by a follower. */
    public int submitted(int jobs) {
        return pool.submitted(jobs);
    }

    /** The pool's desiredCount as this replica believes it; null before it knows. */
    public Integer believedDesired() {
        return pool.currentDesired();
    }

    /** Stops the budgets' timer threads. */
    public void close() {
        budget.close();
        tags.close();
        ctx.taskReads().close();
    }
}
