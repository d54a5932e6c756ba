package io.coscale.control;

import io.coscale.concurrent.Futures;
import io.coscale.domain.Arns;
import io.coscale.domain.Event;
import io.coscale.domain.Mode;
import io.coscale.domain.Pool;
import io.coscale.domain.ReleaseDecision;
import io.coscale.domain.TaskLife;
import io.coscale.domain.Words;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * What coscale knows of one pool's tasks: which are busy (claimed since their last empty poll), which it
 * protected and until when (from the first claim until the task is told to exit), and which it already let exit
 * (so a repeated release answers the same). Protection calls go through {@link EcsWrites}, merged per cluster and
 * shard. Thread-safe and never blocking: claims call it directly, not through the pool's serial steps, so a claim
 * never waits for another task's release; ordering with a release is kept per task (a task told to exit is marked
 * before its protection is dropped, and the batcher keeps one task's changes in order).
 *
 * <p>Each task's life is one {@link TaskLife}, changed only through {@link #change}. Tasks ECS stopped are learnt by
 * {@link TaskStops}.
 */
final class PoolTasks {

    private static final int EXITS_REMEMBERED = 10_000;

    private final Pool pool;
    private final ControlContext ctx;
    private final EventLog events;
    /** The pool's count as its controller believes it: what protection events are made under. */
    private final Supplier<Integer> desiredCount;

    // @GuardedBy("this") every task coscale knows something of; an exited task is moved to the end when it exits, so
    // that the oldest exits are forgotten first.
    private final LinkedHashMap<String, TaskLife> lives = new LinkedHashMap<>();
    /** Tasks whose renewal is in flight. */
    // @GuardedBy("this")
    private final Set<String> renewing = new HashSet<>();
    // @GuardedBy("this") how many of the lives are busy and exited, kept by change(): busyCount() is on the hot path.
    private int busy;
    private int exited;

    PoolTasks(Pool pool, ControlContext ctx, EventLog events, Supplier<Integer> desiredCount) {
        this.desiredCount = desiredCount;
        this.pool = pool;
        this.ctx = ctx;
        this.events = events;
    }

    /** The task's life as known here. Called with the lock held. */
    private TaskLife life(String taskArn) {
        return lives.getOrDefault(taskArn, TaskLife.UNKNOWN);
    }

    /**
     * The one place a task's life changes: applies {@code change}, keeps the counts, forgets a blank life and the
     * oldest exit beyond {@link #EXITS_REMEMBERED}. Called with the lock held.
     *
     * @return the life before the change
     */
    private TaskLife change(String taskArn, TaskLife.Change change) {
        TaskLife before = life(taskArn);
        TaskLife after = before.on(change);
        if (after.equals(before)) {
            return before;
        }
        busy += (after.isBusy() ? 1 : 0) - (before.isBusy() ? 1 : 0);
        boolean nowExited = after.stage() == TaskLife.Stage.EXITED;
        boolean wasExited = before.stage() == TaskLife.Stage.EXITED;
        exited += (nowExited ? 1 : 0) - (wasExited ? 1 : 0);
        if (after.isBlank()) {
            lives.remove(taskArn);
        } else if (nowExited && !wasExited) {
            lives.remove(taskArn);
            lives.put(taskArn, after);
        } else {
            lives.put(taskArn, after);
        }
        if (exited > EXITS_REMEMBERED) {
            forgetOldestExit();
        }
        return before;
    }

    private void forgetOldestExit() {
        for (Iterator<TaskLife> it = lives.values().iterator(); it.hasNext(); ) {
            if (it.next().stage() == TaskLife.Stage.EXITED) {
                it.remove();
                exited--;
                return;
            }
        }
    }

    /**
     * A claim: the task is busy (in status) and, in protect mode, protected until it is told to exit. The first
     * claim protects; a later one (a heartbeat) renews by {@link TaskLife#claimRenews}. A task already told to exit
     * is not protected again: the answer tells it to drain.
     *
     * @param drain whether the task must release after its current job (a task of an older deployment)
     * @return completes when ECS has answered, or at once when no call is needed
     */
    CompletableFuture<ClaimResult> claim(String taskArn, boolean drain) {
        TaskLife known;
        synchronized (this) {
            known = change(taskArn, new TaskLife.Claimed(ctx.clock().instant()));
        }
        if (known.lettingGo()) {
            return CompletableFuture.completedFuture(new ClaimResult(pool.name(), false, null, true));
        }
        boolean marked = !known.isBusy();
        if (pool.mode() != Mode.PROTECT) {
            return CompletableFuture.completedFuture(new ClaimResult(pool.name(), false, null, drain));
        }
        if (!known.claimRenews(ctx.clock().instant(), Duration.ofMinutes(pool.protectionMinutes()))) {
            return CompletableFuture.completedFuture(new ClaimResult(pool.name(), true, known.protectedUntil(), drain));
        }
        return protect(taskArn).whenComplete((until, failure) -> {
            // Not running, or not found (gone, or not yet visible: the worker's retried claim asks ECS again): the claim
            // changes nothing, and the task is not counted busy on its word.
            if (marked && failure != null && (Futures.cause(failure) instanceof TaskRejectedException
                    || EcsWrites.notFound(failure))) {
                synchronized (this) {
                    change(taskArn, new TaskLife.ClaimRefused());
                }
            }
        }).thenApply(until -> until
                .map(expiry -> new ClaimResult(pool.name(), true, expiry, drain))
                .orElseGet(() -> new ClaimResult(pool.name(), false, null, true)));
    }

    /**
     * Protects the task, unless it is being let exit: then nothing is asked and the answer is empty. The check and the
     * hand-over to the batcher happen under this object's lock, and a release marks the task ({@link #beginExit}) under
     * it before its exit queues the unprotect: so a protection can never be queued after the unprotect of the task's
     * exit.
     */
    private CompletableFuture<Optional<Instant>> protect(String taskArn) {
        CompletableFuture<Optional<Instant>> answer;
        synchronized (this) {
            if (life(taskArn).lettingGo()) {
                return CompletableFuture.completedFuture(Optional.empty());
            }
            answer = ctx.writes().changeProtection(pool.cluster(), new ProtectionChange(taskArn, true, pool.protectionMinutes()));
        }
        return answer.thenApply(expiry -> {
            Instant until = expiry.orElse(ctx.clock().instant().plus(Duration.ofMinutes(pool.protectionMinutes())));
            TaskLife before;
            synchronized (this) {
                before = change(taskArn, new TaskLife.Protected(until));
            }
            if (before.protectedUntil() == null) {
                events.add(Event.protection(ctx.clock().instant(), desiredCount.get(), "protected " + Arns.lastSegment(taskArn) + " until " + until));
            }
            return Optional.of(until);
        });
    }

    /**
     * Takes over the protection a coscale that is gone gave: every protected task of the pool's service, as ECS
     * reported it ({@link ClusterSweeps}), is protected here too, so that it is renewed, kept through a stay and
     * dropped on its exit ({@link TaskLife.Adopted}).
     */
    void adopt(Map<String, Instant> found) {
        int adopted = 0;
        synchronized (this) {
            for (Map.Entry<String, Instant> e : found.entrySet()) {
                TaskLife before = change(e.getKey(), new TaskLife.Adopted(e.getValue()));
                if (!before.lettingGo() && before.protectedUntil() == null) {
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
     * Forgets what this replica knew of protection and busy tasks, before it takes the lease over
     * ({@link TaskLife.LeaseTaken}). They are taken over again from ECS ({@link ProtectionTakeover}).
     */
    synchronized void forgetProtection() {
        for (String arn : List.copyOf(lives.keySet())) {
            change(arn, new TaskLife.LeaseTaken());
        }
    }

    /** The task's life now (a value): a release reads from it whether an exit was told, recorded or sent to be. */
    synchronized TaskLife lifeOf(String taskArn) {
        return life(taskArn);
    }

    /** The exit record {@code decision} was sent and its answer lost: the exit is kept, never decided again. */
    synchronized void recordUnknown(String taskArn, ReleaseDecision decision) {
        change(taskArn, new TaskLife.RecordUnknown(decision));
    }

    /** The exit is recorded on the task: a repeated release finishes it and never decides again. */
    synchronized void recorded(String taskArn, ReleaseDecision decision) {
        change(taskArn, new TaskLife.Recorded(decision));
    }

    /** The task found no work: no longer busy. Its protection stays: it lasts until the task is told to exit. */
    synchronized void idle(String taskArn) {
        change(taskArn, new TaskLife.Idle());
    }

    /** Protects the task with ECS again before a release answers, unless this replica holds a protection ECS confirmed. */
    CompletableFuture<Void> reassertIfUnknown(String taskArn) {
        synchronized (this) {
            if (pool.mode() != Mode.PROTECT || life(taskArn).protectedAt(ctx.clock().instant())) {
                return CompletableFuture.completedFuture(null);
            }
        }
        return protect(taskArn).thenAccept(until -> { });
    }

    /** The task is being let exit: from now on a claim does not protect it again (it is told to drain). */
    synchronized void beginExit(String taskArn) {
        change(taskArn, new TaskLife.ExitStarted());
    }

    /**
     * The exit failed (the worker retries): unrecorded, an ordinary task with its protection unknown; else as far as it
     * went (its record unknown, or recorded).
     */
    synchronized void abandonExit(String taskArn) {
        change(taskArn, new TaskLife.ExitAbandoned());
    }

    /** ECS confirmed the task's protection dropped (its exit's unprotect, {@link EcsWrites#exit}). */
    void unprotected(String taskArn) {
        TaskLife before;
        synchronized (this) {
            before = change(taskArn, new TaskLife.Unprotected());
        }
        if (before.protectedUntil() != null) {
            events.add(Event.protection(ctx.clock().instant(), desiredCount.get(), "unprotected " + Arns.lastSegment(taskArn)));
        }
    }

    /** The task was told to exit: remembered so a repeated release answers the same. */
    synchronized void exited(String taskArn, ReleaseDecision decision) {
        change(taskArn, new TaskLife.Exited(decision));
    }

    /**
     * Renews the protection of every protected task (busy or warm: protection lasts until a task is told to exit)
     * that {@link TaskLife#scheduleRenews}.
     */
    void renewExpiring() {
        if (pool.mode() != Mode.PROTECT) {
            return;
        }
        Instant now = ctx.clock().instant();
        Duration length = Duration.ofMinutes(pool.protectionMinutes());
        List<String> renew = new ArrayList<>();
        synchronized (this) {
            lives.forEach((arn, life) -> {
                // A renewal already on its way is not sent twice (the schedule and a take-over's adoption may meet).
                if (life.scheduleRenews(now, length) && renewing.add(arn)) {
                    renew.add(arn);
                }
            });
        }
        ctx.metrics().protectionRenewalsSent(pool.name(), renew.size());
        // A failed renewal is told, not swallowed: the task is still protected until its expiry, and the next
        // renewal round tries again.
        renew.forEach(arn -> protect(arn).whenComplete((expiry, e) -> {
            synchronized (this) {
                renewing.remove(arn);
            }
            if (e != null && Futures.cause(e) instanceof TaskRejectedException) {
                // Stopping or stopped: nothing left to renew; the next reconcile reports the stop.
                synchronized (this) {
                    change(arn, new TaskLife.Unprotected());
                }
            } else if (e != null) {
                ctx.metrics().protectionRenewalFailed(pool.name());
                events.add(Event.error(ctx.clock().instant(), "renew protection of " + Arns.lastSegment(arn) + ": "
                        + (e.getCause() != null ? e.getCause().getMessage() : e.getMessage())));
            }
        }));
    }

    /** What {@link TaskStops} asks ECS about: every task known here, and how many are live and exited. */
    record Known(Set<String> arns, int live, int exited) {
    }

    synchronized Known known() {
        // Tasks coscale holds as live: busy or protected, and no exit in progress.
        int live = (int) lives.values().stream()
                .filter(life -> !life.lettingGo() && (life.isBusy() || life.protectedUntil() != null))
                .count();
        return new Known(Set.copyOf(lives.keySet()), live, exited);
    }

    /**
     * ECS reports the task stopped: it is forgotten ({@link TaskLife.Stopped}).
     *
     * @return whether coscale was letting it exit, or had
     */
    synchronized boolean stopped(String taskArn) {
        return change(taskArn, new TaskLife.Stopped()).lettingGo();
    }

    synchronized int busyCount() {
        return busy;
    }

    synchronized int protectedCount() {
        Instant now = ctx.clock().instant();
        return (int) lives.values().stream().filter(life -> life.protectedAt(now)).count();
    }
}
