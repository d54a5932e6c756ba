package io.coscale.control;

import io.coscale.aws.EcsGateway;
import io.coscale.aws.ServiceState;
import io.coscale.aws.TaskState;
import io.coscale.domain.Event;
import io.coscale.domain.Mode;
import io.coscale.domain.Pool;
import io.coscale.domain.RecentStops;
import io.coscale.domain.ReleaseDecision;
import io.coscale.domain.StopCheck;
import io.coscale.domain.TaskStop;
import io.coscale.domain.Words;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * What coscale knows of one pool's tasks: which are busy (claimed since their last empty poll), which it
 * protected and until when (from the first claim until the task is told to exit), and which it already let exit
 * (so a repeated release answers the same). Protection calls go through the shared batcher, merged per cluster and
 * shard. Thread-safe and never blocking: claims call it directly, not through the pool's serial steps, so a claim
 * never waits for another task's release; ordering with a release is kept per task (a task told to exit is marked
 * before its protection is dropped, and the batcher keeps one task's changes in order).
 *
 * <p>A known task ECS stopped without coscale letting it exit (Spot interruption, host retirement, out-of-memory
 * kill, crash) is forgotten here and reported once, as a {@code task-stopped} event, in
 * {@code coscale_tasks_stopped_total} and in status ({@link OtherStops}). coscale changes no count for it: the
 * service replaces the task, and the worker gives its message back on the stop signal.
 */
final class PoolTasks {

    private static final int EXITS_REMEMBERED = 10_000;
    private static final Duration UNPROTECT_TIMEOUT = Duration.ofSeconds(10);
    /** The longest a pool with known tasks goes without asking ECS about them (see {@link StopCheck}). */
    static final Duration STOP_CHECK_BACKSTOP = Duration.ofMinutes(1);
    /** How long status shows a task stopped for another reason, and how many stops of it a pool keeps at most. */
    private static final Duration STOPS_WINDOW = Duration.ofHours(1);
    private static final int STOPS_KEPT = 1_000;
    private static final int STOPS_SHOWN = 5;

    private final Pool pool;
    private final ControlContext ctx;
    private final EventLog events;
    /** The pool's count as its controller believes it: what protection events are made under. */
    private final Supplier<Integer> desiredCount;

    // @GuardedBy("this")
    private final Map<String, Instant> busySince = new HashMap<>();
    // @GuardedBy("this")
    private final Map<String, Instant> protectedUntil = new HashMap<>();
    // @GuardedBy("this") tasks a release is letting exit right now: a claim no longer protects them.
    private final Set<String> exiting = new HashSet<>();
    // @GuardedBy("this"): insertion-ordered, the oldest forgotten first.
    private final Map<String, ReleaseDecision> exits = new LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, ReleaseDecision> eldest) {
            return size() > EXITS_REMEMBERED;
        }
    };

    // @GuardedBy("this") tasks stopped for other reasons, for status.
    private final RecentStops recentStops = new RecentStops(STOPS_WINDOW, STOPS_KEPT);
    // @GuardedBy("this") the service read and the time of the last DescribeTasks of the known tasks; null before.
    private StopCheck.Signal lastStopCheck;
    private Instant lastStopCheckAt;

    PoolTasks(Pool pool, ControlContext ctx, EventLog events, Supplier<Integer> desiredCount) {
        this.desiredCount = desiredCount;
        this.pool = pool;
        this.ctx = ctx;
        this.events = events;
    }

    /**
     * A claim: the task is busy (in status) and, in protect mode, protected until it is told to exit. The first
     * claim protects; a later one (a heartbeat) renews only once a quarter of the protection has passed, so that
     * protection costs ECS calls per task, not per job. A task already told to exit is not protected again: the
     * answer tells it to drain.
     *
     * @param drain whether the task must release after its current job (a task of an older deployment)
     * @return completes when ECS has answered, or at once when no call is needed
     */
    CompletableFuture<ClaimResult> claim(String taskArn, boolean drain) {
        Instant known;
        boolean marked;
        synchronized (this) {
            if (exits.containsKey(taskArn) || exiting.contains(taskArn)) {
                return CompletableFuture.completedFuture(new ClaimResult(pool.name(), false, null, true));
            }
            marked = busySince.putIfAbsent(taskArn, ctx.clock().instant()) == null;
            known = protectedUntil.get(taskArn);
        }
        if (pool.mode() != Mode.PROTECT) {
            return CompletableFuture.completedFuture(new ClaimResult(pool.name(), false, null, drain));
        }
        Duration length = Duration.ofMinutes(pool.protectionMinutes());
        if (known != null && known.isAfter(ctx.clock().instant().plus(length.multipliedBy(3).dividedBy(4)))) {
            return CompletableFuture.completedFuture(new ClaimResult(pool.name(), true, known, drain));
        }
        return protect(taskArn).whenComplete((until, failure) -> {
            if (marked && failure != null && Futures.cause(failure) instanceof TaskRejectedException) {
                // ECS will not protect it: it is no live task, and a refused claim changes nothing.
                synchronized (this) {
                    busySince.remove(taskArn);
                }
            }
        }).thenApply(until -> until
                .map(expiry -> new ClaimResult(pool.name(), true, expiry, drain))
                .orElseGet(() -> new ClaimResult(pool.name(), false, null, true)));
    }

    /**
     * Protects the task, unless it is being let exit: then nothing is asked and the answer is empty. The check and the
     * hand-over to the batcher happen under this object's lock, as {@link #unprotect}'s do, so that a protection can
     * never be queued after the unprotect of the task's exit.
     */
    private CompletableFuture<Optional<Instant>> protect(String taskArn) {
        CompletableFuture<Optional<Instant>> answer;
        synchronized (this) {
            if (exits.containsKey(taskArn) || exiting.contains(taskArn)) {
                return CompletableFuture.completedFuture(Optional.empty());
            }
            answer = ctx.changeProtection(pool.cluster(), new ProtectionChange(taskArn, true, pool.protectionMinutes()));
        }
        return answer.thenApply(expiry -> {
            Instant until = expiry.orElse(ctx.clock().instant().plus(Duration.ofMinutes(pool.protectionMinutes())));
            Instant before;
            synchronized (this) {
                before = protectedUntil.put(taskArn, until);
            }
            if (before == null) {
                events.add(Event.protection(ctx.clock().instant(), desiredCount.get(), "protected " + shortId(taskArn) + " until " + until));
            }
            return Optional.of(until);
        });
    }

    /**
     * The protection ECS holds for the pool's service's tasks: one ListTasks (a page per 100 tasks), in the take-over's
     * turn of the task-read budget, then GetTaskProtection per 10 tasks (another bucket, see {@link TaskReadBudget}).
     *
     * @return each protected task's expiry
     */
    CompletableFuture<Map<String, Instant>> protectionInEcs() {
        return ctx.takeoverRead(ecs -> {
            List<String> arns = ecs.serviceTasks(pool.cluster(), pool.service());
            // The turn paid for the first page; a service of over 100 tasks read more.
            ctx.taskReads().spent(EcsGateway.listTasksCalls(arns.size()) - 1);
            return arns.isEmpty() ? Map.<String, Instant>of() : ecs.protectedUntil(pool.cluster(), arns);
        });
    }

    /**
     * Takes over the protection a coscale that is gone gave: every protected task of the pool's service, as ECS
     * reported it ({@link #protectionInEcs}), is protected here too, so that it is renewed, kept through a stay and
     * dropped on its exit. A task told to exit meanwhile, or being let exit, is not taken over; one claimed meanwhile
     * keeps its claim's expiry.
     */
    void adopt(Map<String, Instant> found) {
        int adopted = 0;
        synchronized (this) {
            for (Map.Entry<String, Instant> e : found.entrySet()) {
                if (!exits.containsKey(e.getKey()) && !exiting.contains(e.getKey())
                        && protectedUntil.putIfAbsent(e.getKey(), e.getValue()) == null) {
                    adopted++;
                }
            }
        }
        if (adopted > 0) {
            events.add(Event.protection(ctx.clock().instant(), desiredCount.get(), "took over the protection of "
                    + Words.count(adopted, "task") + " from ECS"));
        }
    }

    /**
     * Forgets what this replica knew of protection and busy tasks, before it takes the lease over: the last leader
     * may have changed both since. They are taken over again from ECS ({@link ProtectionTakeover}); the exits stay known.
     */
    synchronized void forgetProtection() {
        protectedUntil.clear();
        busySince.clear();
        lastStopCheck = null;
    }

    /** The decision a task's earlier release got, if it was told to exit. */
    synchronized ReleaseDecision earlierExit(String taskArn) {
        return exits.get(taskArn);
    }

    /** The task found no work: no longer busy. Its protection stays: it lasts until the task is told to exit. */
    synchronized void idle(String taskArn) {
        busySince.remove(taskArn);
    }

    /**
     * The task is being let exit: from now on a claim does not protect it again (it is told to drain), so that a
     * heartbeat racing the release cannot undo the unprotect that precedes the decrement.
     */
    synchronized void beginExit(String taskArn) {
        exiting.add(taskArn);
    }

    /** The exit did not happen (ECS failed; the worker retries its release): the task is an ordinary one again. */
    synchronized void abandonExit(String taskArn) {
        exiting.remove(taskArn);
    }

    /** Drops the task's protection; completes when ECS confirmed: the step that must precede a decrement. */
    CompletableFuture<Void> unprotect(String taskArn) {
        if (pool.mode() != Mode.PROTECT) {
            return CompletableFuture.completedFuture(null);
        }
        CompletableFuture<Optional<Instant>> answer;
        synchronized (this) {
            answer = ctx.changeProtection(pool.cluster(), new ProtectionChange(taskArn, false, pool.protectionMinutes()));
        }
        return answer.orTimeout(UNPROTECT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
                .thenAccept(confirmed -> {
                    boolean was;
                    synchronized (this) {
                        was = protectedUntil.remove(taskArn) != null;
                    }
                    if (was) {
                        events.add(Event.protection(ctx.clock().instant(), desiredCount.get(), "unprotected " + shortId(taskArn)));
                    }
                });
    }

    /** The task was told to exit: remembered so a repeated release answers the same. */
    synchronized void exited(String taskArn, ReleaseDecision decision) {
        exiting.remove(taskArn);
        busySince.remove(taskArn);
        protectedUntil.remove(taskArn);
        exits.put(taskArn, decision);
    }

    /**
     * Renews the protection of every protected task (busy or warm: protection lasts until a task is told to exit)
     * whose protection lapses within a quarter of its length.
     */
    void renewExpiring() {
        if (pool.mode() != Mode.PROTECT) {
            return;
        }
        Instant soon = ctx.clock().instant().plus(Duration.ofMinutes(pool.protectionMinutes()).dividedBy(4));
        Set<String> renew = new HashSet<>();
        synchronized (this) {
            protectedUntil.entrySet().stream()
                    .filter(e -> e.getValue().isBefore(soon))
                    .forEach(e -> renew.add(e.getKey()));
        }
        ctx.metrics().protectionRenewalsSent(pool.name(), renew.size());
        // A failed renewal is told, not swallowed: the task is still protected until its expiry, and the next
        // renewal round tries again.
        renew.forEach(arn -> protect(arn).whenComplete((expiry, e) -> {
            if (e != null && Futures.cause(e) instanceof TaskRejectedException) {
                // Stopping or stopped: nothing left to renew; the next reconcile reports the stop.
                synchronized (this) {
                    protectedUntil.remove(arn);
                }
            } else if (e != null) {
                ctx.metrics().protectionRenewalFailed(pool.name());
                events.add(Event.error(ctx.clock().instant(), "renew protection of " + shortId(arn) + ": "
                        + (e.getCause() != null ? e.getCause().getMessage() : e.getMessage())));
            }
        }));
    }

    /**
     * Learns which tasks coscale knows (busy, protected, let exit) ECS no longer runs, and forgets them; a task that
     * stopped without coscale letting it exit ({@link OtherStops}) is also reported: an event, the metric, and
     * {@link #recentStops}. ECS is asked (DescribeTasks, 100 per call) only when {@link StopCheck} says the pass's
     * service read hints at a change, or its backstop has passed: a converged pool costs no call.
     *
     * @param service the service as this pass read it
     */
    CompletableFuture<Void> forgetStopped(ServiceState service) {
        Set<String> ask = new HashSet<>();
        StopCheck.Signal signal;
        synchronized (this) {
            Set<String> live = new HashSet<>(busySince.keySet());
            live.addAll(protectedUntil.keySet());
            live.removeAll(exiting);
            signal = new StopCheck.Signal(service.desiredCount(), service.runningCount(), service.pendingCount(), live.size());
            Duration since = lastStopCheckAt == null ? Duration.ZERO : Duration.between(lastStopCheckAt, ctx.clock().instant());
            if (!StopCheck.due(lastStopCheck, signal, exits.size(), since, STOP_CHECK_BACKSTOP)) {
                return CompletableFuture.completedFuture(null);
            }
            ask.addAll(live);
            ask.addAll(exiting);
            ask.addAll(exits.keySet());
        }
        if (ask.isEmpty()) {
            return CompletableFuture.completedFuture(null);
        }
        return ctx.ecsRead(ecs -> {
            ctx.taskReads().spent(EcsGateway.describeTasksCalls(ask.size()));
            return ecs.describeTasks(pool.cluster(), ask);
        }).thenAccept(states -> {
            Instant now = ctx.clock().instant();
            List<TaskStop> reported = new ArrayList<>();
            synchronized (this) {
                for (TaskState task : states.values()) {
                    if (task.isLive()) {
                        continue;
                    }
                    String arn = task.taskArn();
                    boolean letExit = exits.containsKey(arn) || exiting.contains(arn);
                    OtherStops.of(task, letExit, now).filter(recentStops::add).ifPresent(reported::add);
                    busySince.remove(arn);
                    protectedUntil.remove(arn);
                    exits.remove(arn);
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

    /** The pool's tasks stopped for other reasons within the last hour, by stopCode. */
    synchronized Map<String, Integer> stopsByCode() {
        return recentStops.byStopCode(ctx.clock().instant());
    }

    /** The last few tasks stopped for other reasons within the last hour, newest first. */
    synchronized List<TaskStop> lastStops() {
        return recentStops.newest(ctx.clock().instant(), STOPS_SHOWN);
    }

    synchronized int busyCount() {
        return busySince.size();
    }

    synchronized int protectedCount() {
        Instant now = ctx.clock().instant();
        return (int) protectedUntil.values().stream().filter(until -> until.isAfter(now)).count();
    }

    static String shortId(String taskArn) {
        return Arns.lastSegment(taskArn);
    }
}
