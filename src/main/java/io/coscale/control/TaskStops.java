package io.coscale.control;

import io.coscale.aws.ServiceState;
import io.coscale.aws.TaskState;
import io.coscale.domain.Event;
import io.coscale.domain.Pool;
import io.coscale.domain.RecentStops;
import io.coscale.domain.StopCheck;
import io.coscale.domain.TaskStop;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * Learns which of a pool's known tasks ECS no longer runs, and has {@link PoolTasks} forget them. A known task ECS
 * stopped without coscale letting it exit (Spot interruption, host retirement, out-of-memory kill, crash) is
 * reported once, as a {@code task-stopped} event, in {@code coscale_tasks_stopped_total} and in status
 * ({@link OtherStops}). coscale changes no count for it: the service replaces the task, and the worker gives its
 * message back on the stop signal.
 */
final class TaskStops {

    /** The longest a pool with known tasks goes without asking ECS about them is this ... */
    private static final Duration BACKSTOP_LEAST = Duration.ofSeconds(30);
    /** ... and up to this much more, fixed per pool ({@link #backstopOf}). */
    private static final Duration BACKSTOP_SPREAD = Duration.ofMinutes(1);
    /** How long status shows a task stopped for another reason, and how many stops of it a pool keeps at most. */
    private static final Duration STOPS_WINDOW = Duration.ofHours(1);
    private static final int STOPS_KEPT = 1_000;
    private static final int STOPS_SHOWN = 5;

    private final Pool pool;
    private final ControlContext ctx;
    private final EventLog events;
    private final PoolTasks tasks;
    /** The pool's count as its controller believes it: what stop events are made under. */
    private final Supplier<Integer> desiredCount;
    private final Duration backstop;

    // @GuardedBy("this") tasks stopped for other reasons, for status.
    private final RecentStops recentStops = new RecentStops(STOPS_WINDOW, STOPS_KEPT);
    // @GuardedBy("this") the service read and the time of the last DescribeTasks of the known tasks; null before.
    private StopCheck.Signal lastStopCheck;
    private Instant lastStopCheckAt;

    TaskStops(Pool pool, ControlContext ctx, EventLog events, PoolTasks tasks, Supplier<Integer> desiredCount) {
        this.pool = pool;
        this.ctx = ctx;
        this.events = events;
        this.tasks = tasks;
        this.desiredCount = desiredCount;
        this.backstop = backstopOf(pool.name());
    }

    /**
     * The longest the pool goes without asking ECS about its known tasks ({@link StopCheck}): 30 to 90 s, drawn from the
     * pool's name. Pools taken over together all check at once after the take-over; with one backstop for all they
     * would all check again in the same pass a minute later (at 1,000 pools of 10 tasks, 100 DescribeTasks waiting
     * their turns in one pass), with this spread about a sixth of them in each pass of 10 s.
     */
    static Duration backstopOf(String poolName) {
        return BACKSTOP_LEAST.plusMillis(new SplittableRandom(poolName.hashCode()).nextLong(BACKSTOP_SPREAD.toMillis()));
    }

    /**
     * Asks ECS about the known tasks, busy, protected or let exit, when {@link StopCheck} says the pass's service read
     * hints at a change, or its backstop has passed: a converged pool costs no call. The DescribeTasks are merged with
     * the other pools' of the cluster and paced by the task-read budget ({@link ClusterSweeps#tasks}).
     *
     * @param service the service as this pass read it
     */
    CompletableFuture<Void> forgetStopped(ServiceState service) {
        PoolTasks.Known known = tasks.known();
        StopCheck.Signal signal = new StopCheck.Signal(service.desiredCount(), service.runningCount(),
                service.pendingCount(), known.live());
        synchronized (this) {
            Duration since = lastStopCheckAt == null ? Duration.ZERO : Duration.between(lastStopCheckAt, ctx.clock().instant());
            if (!StopCheck.due(lastStopCheck, signal, known.exited(), since, backstop)) {
                return CompletableFuture.completedFuture(null);
            }
        }
        if (known.arns().isEmpty()) {
            return CompletableFuture.completedFuture(null);
        }
        return ctx.sweeps().tasks(pool.cluster(), known.arns()).thenAccept(states -> {
            Instant now = ctx.clock().instant();
            List<TaskStop> reported = new ArrayList<>();
            synchronized (this) {
                for (TaskState task : states.values()) {
                    if (task.isLive()) {
                        continue;
                    }
                    boolean letExit = tasks.stopped(task.taskArn());
                    OtherStops.of(task, letExit, now).filter(recentStops::add).ifPresent(reported::add);
                }
                lastStopCheck = signal;
                lastStopCheckAt = now;
            }
            for (TaskStop stop : reported) {
                ctx.metrics().taskStopped(pool.name(), stop.stopCode());
                events.add(Event.taskStopped(now, desiredCount.get(), OtherStops.describe(stop)));
            }
        });
    }

    /** This replica takes the lease over: the known tasks are taken over afresh, so the next pass asks ECS. */
    synchronized void reset() {
        lastStopCheck = null;
    }

    /** The pool's tasks stopped for other reasons within the last hour, by stopCode. */
    synchronized Map<String, Integer> stopsByCode() {
        return recentStops.byStopCode(ctx.clock().instant());
    }

    /** The last few tasks stopped for other reasons within the last hour, newest first. */
    synchronized List<TaskStop> lastStops() {
        return recentStops.newest(ctx.clock().instant(), STOPS_SHOWN);
    }
}
