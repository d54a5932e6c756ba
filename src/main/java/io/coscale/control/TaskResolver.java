package io.coscale.control;

import io.coscale.aws.AwsCallException;
import io.coscale.aws.EcsGateway;
import io.coscale.aws.TaskState;
import io.coscale.concurrent.Batcher;
import io.coscale.concurrent.Futures;
import io.coscale.domain.Arns;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns a worker's task ARN into its pool, as ECS says: the task must be a PENDING or RUNNING task of a managed
 * pool's service (its group is {@code service:<name>}), and must agree with the pool the worker named, if any.
 * Nobody can scale a service down by naming a task that is not its own.
 *
 * <p>Claims and releases come often (every job, every empty poll), and ECS's read budget is shared by the whole
 * account: DescribeTasks calls are merged (up to 100 tasks per call per cluster while one is in flight) and an answer
 * is trusted for a short while (asked again in the background in the second half of it). ECS reads are eventually
 * consistent: a task that has just started may be unknown to the read for a moment, so a task ECS says it does not
 * know is asked about again for up to {@code readLag} before it is refused. Never blocks a thread.
 */
final class TaskResolver {

    private static final Pattern TASK_ARN = Pattern.compile(
            "arn:aws[a-z-]*:ecs:[a-z0-9-]+:\\d{12}:task/([A-Za-z0-9_-]{1,255})/([a-f0-9]{32}|[A-Za-z0-9-]{1,64})");
    private static final Duration LOOKUP_TIMEOUT = Duration.ofSeconds(10);
    private static final long MISSING_RETRY_MILLIS = 250;

    private record Cached(TaskState state, long fetchedNanos) {
    }

    private final ControlContext ctx;
    private final Supplier<Collection<PoolController>> pools;
    private final Batcher<String, String, TaskState> describe;
    private final Map<String, Cached> cache = new ConcurrentHashMap<>();
    /** Tasks asked about again in the background, each once at a time. */
    private final Set<String> refreshing = ConcurrentHashMap.newKeySet();
    private final long ttlNanos;
    private final Duration readLag;
    /** The monotonic clock the cache's ages and the read-lag deadline are measured on. */
    private final LongSupplier nanoTime;

    TaskResolver(ControlContext ctx, Supplier<Collection<PoolController>> pools, Duration cacheTtl, Duration readLag) {
        this(ctx, pools, cacheTtl, readLag, ctx::nanoTime);
    }

    TaskResolver(ControlContext ctx, Supplier<Collection<PoolController>> pools, Duration cacheTtl, Duration readLag,
            LongSupplier nanoTime) {
        this.nanoTime = nanoTime;
        this.ctx = ctx;
        this.pools = pools;
        this.describe = new Batcher<>(100, ctx.threads().ecsCalls(),
                (cluster, arns) -> {
                    // A worker waits for this answer: it spends the read budget without waiting its turn.
                    ctx.taskReads().spent(EcsGateway.describeTasksCalls(arns.size()));
                    return new HashMap<>(ctx.ecsGateway().describeTasks(cluster, arns));
                }, (a, b) -> true);
        this.ttlNanos = cacheTtl.toNanos();
        this.readLag = readLag;
    }

    /** The cluster name in a task ARN of the long form {@code arn:aws:ecs:<region>:<account>:task/<cluster>/<id>}. */
    static String clusterOf(String taskArn) {
        Matcher m = TASK_ARN.matcher(taskArn == null ? "" : taskArn);
        if (!m.matches()) {
            throw new IllegalArgumentException("taskArn must look like arn:aws:ecs:<region>:<account>:task/<cluster>/<id>");
        }
        return m.group(1);
    }

    /**
     * The worker's task and its pool. Fails with {@link IllegalArgumentException} (malformed ARN),
     * {@link TaskRejectedException} (not a live task of a managed pool) or {@link AwsCallException} (ECS not asked).
     */
    CompletableFuture<WorkerTask> resolve(String taskArn, Optional<String> claimedPool) {
        return Futures.start(() -> {
            String cluster = clusterOf(taskArn);
            if (pools.get().stream().noneMatch(p -> Arns.sameName(p.pool().cluster(), cluster))) {
                // No need to ask ECS about a cluster coscale manages nothing in.
                throw new TaskRejectedException("cluster " + cluster + " of task " + taskArn + " has no managed pool");
            }
            long deadline = nanoTime.getAsLong() + readLag.toNanos();
            return lookup(cluster, taskArn, deadline).thenApply(task -> poolOf(cluster, task, claimedPool));
        });
    }

    private WorkerTask poolOf(String cluster, TaskState task, Optional<String> claimedPool) {
        String taskArn = task.taskArn();
        if (!task.isLive()) {
            throw new TaskRejectedException("task " + taskArn + " is not a PENDING or RUNNING task (" + task.lastStatus() + ")");
        }
        String service = task.serviceName()
                .orElseThrow(() -> new TaskRejectedException("task " + taskArn + " was not started by a service"));
        PoolController pool = pools.get().stream()
                .filter(p -> Arns.sameName(p.pool().cluster(), cluster) && Arns.sameName(p.pool().service(), service))
                .findFirst()
                .orElseThrow(() -> new TaskRejectedException("service " + service + " of cluster " + cluster
                        + " is not a managed pool"));
        if (claimedPool.isPresent() && !claimedPool.get().equals(pool.pool().name())) {
            throw new TaskRejectedException("task " + taskArn + " belongs to pool " + pool.pool().name()
                    + ", not " + claimedPool.get());
        }
        return new WorkerTask(pool, task);
    }

    /**
     * The task's state, fresh or at most the cache's TTL old; asked again while ECS does not know it yet. An answer in
     * the second half of its TTL still serves, and is asked again in the background (merged with the other lookups),
     * so that a task whose worker claims and releases often is never waited for: with a 2 s TTL, the claims of a
     * task checked every 1.3 s each waited for a DescribeTasks, one call in flight per cluster.
     */
    private CompletableFuture<TaskState> lookup(String cluster, String taskArn, long deadlineNanos) {
        Cached cached = cache.get(taskArn);
        if (cached != null) {
            long age = nanoTime.getAsLong() - cached.fetchedNanos();
            if (age < ttlNanos) {
                if (age >= ttlNanos / 2 && refreshing.add(taskArn)) {
                    refresh(cluster, taskArn);
                }
                return CompletableFuture.completedFuture(cached.state());
            }
        }
        return describe.submit(cluster, taskArn)
                .orTimeout(LOOKUP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
                .exceptionallyCompose(e -> CompletableFuture.failedFuture(Futures.cause(e) instanceof TimeoutException
                        ? new AwsCallException("DescribeTasks did not answer within " + LOOKUP_TIMEOUT, true, false, "Timeout", e)
                        : Futures.cause(e)))
                .thenCompose(state -> {
                    if (state.missing() && nanoTime.getAsLong() - deadlineNanos < 0) {
                        return Futures.delay(ctx.threads().timer(), MISSING_RETRY_MILLIS)
                                .thenCompose(waited -> lookup(cluster, taskArn, deadlineNanos));
                    }
                    if (!state.missing()) {
                        remember(taskArn, state);
                    }
                    return CompletableFuture.completedFuture(state);
                });
    }

    /** Asks ECS about a task whose cached answer is still good; a failure leaves the answer to run out. */
    private void refresh(String cluster, String taskArn) {
        describe.submit(cluster, taskArn).whenComplete((state, failure) -> {
            refreshing.remove(taskArn);
            if (failure == null && !state.missing()) {
                remember(taskArn, state);
            }
        });
    }

    private void remember(String taskArn, TaskState state) {
        cache.put(taskArn, new Cached(state, nanoTime.getAsLong()));
        if (cache.size() > 50_000) {
            cache.values().removeIf(c -> nanoTime.getAsLong() - c.fetchedNanos() >= ttlNanos);
        }
    }
}
