package io.coscale.control;

import io.coscale.aws.TaskState;
import io.coscale.domain.Event;
import io.coscale.domain.Mode;
import io.coscale.domain.Pool;
import io.coscale.domain.ReleaseDecision;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * What coscale knows of one pool's tasks: which are busy (claimed a job), which it protected and until
 * when, and which it already let exit (so a repeated release answers the same). Protection calls go through
 * the shared per-cluster batcher. Thread-safe; the controller calls it from the pool's serial executor.
 */
final class PoolTasks {

    private static final int EXITS_REMEMBERED = 10_000;
    private static final Duration UNPROTECT_TIMEOUT = Duration.ofSeconds(10);

    private final Pool pool;
    private final ControlContext ctx;
    private final EventLog events;

    // @GuardedBy("this")
    private final Map<String, Instant> busySince = new HashMap<>();
    // @GuardedBy("this")
    private final Map<String, Instant> protectedUntil = new HashMap<>();
    // @GuardedBy("this"): insertion-ordered, the oldest forgotten first.
    private final Map<String, ReleaseDecision> exits = new LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, ReleaseDecision> eldest) {
            return size() > EXITS_REMEMBERED;
        }
    };

    PoolTasks(Pool pool, ControlContext ctx, EventLog events) {
        this.pool = pool;
        this.ctx = ctx;
        this.events = events;
    }

    /** Marks the task busy and, in protect mode, queues its protection; the future completes when ECS has answered. */
    CompletableFuture<ClaimResult> claim(String taskArn) {
        synchronized (this) {
            busySince.putIfAbsent(taskArn, ctx.clock().instant());
        }
        if (pool.mode() != Mode.PROTECT) {
            return CompletableFuture.completedFuture(new ClaimResult(pool.name(), false, null));
        }
        return protect(taskArn).thenApply(expiry -> new ClaimResult(pool.name(), true, expiry));
    }

    private CompletableFuture<Instant> protect(String taskArn) {
        return ctx.protection().submit(pool.cluster(), new ProtectionChange(taskArn, true, pool.protectionMinutes()))
                .thenApply(expiry -> {
                    Instant until = expiry.orElse(ctx.clock().instant().plus(Duration.ofMinutes(pool.protectionMinutes())));
                    Instant before;
                    synchronized (this) {
                        before = protectedUntil.put(taskArn, until);
                    }
                    if (before == null) {
                        events.add(Event.protection(ctx.clock().instant(), "protected " + shortId(taskArn) + " until " + until));
                    }
                    return until;
                });
    }

    /** The decision a task's earlier release got, if it was told to exit. */
    synchronized ReleaseDecision earlierExit(String taskArn) {
        return exits.get(taskArn);
    }

    /** The task found no work: no longer busy; its protection dropped when asked (best effort). */
    void idle(String taskArn, boolean dropProtection) {
        synchronized (this) {
            busySince.remove(taskArn);
        }
        if (dropProtection && isProtected(taskArn)) {
            try {
                unprotectNow(taskArn);
            } catch (RuntimeException | InterruptedException e) {
                // It lapses on its own; a task kept at minTasks is not a scale-in candidate anyway.
                events.add(Event.error(ctx.clock().instant(), "unprotect " + shortId(taskArn) + ": " + e.getMessage()));
            }
        }
    }

    /** Drops the task's protection and waits for ECS to confirm: the step that must precede a decrement. */
    void unprotectNow(String taskArn) throws InterruptedException {
        if (pool.mode() != Mode.PROTECT) {
            return;
        }
        try {
            ctx.protection().submit(pool.cluster(), new ProtectionChange(taskArn, false, pool.protectionMinutes()))
                    .get(UNPROTECT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("UpdateTaskProtection did not answer within " + UNPROTECT_TIMEOUT);
        }
        boolean was;
        synchronized (this) {
            was = protectedUntil.remove(taskArn) != null;
        }
        if (was) {
            events.add(Event.protection(ctx.clock().instant(), "unprotected " + shortId(taskArn)));
        }
    }

    /** The task was told to exit: remembered so a repeated release answers the same. */
    synchronized void exited(String taskArn, ReleaseDecision decision) {
        busySince.remove(taskArn);
        protectedUntil.remove(taskArn);
        exits.put(taskArn, decision);
    }

    /** Renews protection of busy tasks whose protection lapses within a quarter of its length. */
    void renewExpiring() {
        if (pool.mode() != Mode.PROTECT) {
            return;
        }
        Instant soon = ctx.clock().instant().plus(Duration.ofMinutes(pool.protectionMinutes()).dividedBy(4));
        Set<String> renew = new HashSet<>();
        synchronized (this) {
            busySince.keySet().stream()
                    .filter(arn -> protectedUntil.getOrDefault(arn, Instant.MIN).isBefore(soon))
                    .forEach(renew::add);
        }
        renew.forEach(this::protect);
    }

    /** Forgets tasks ECS no longer runs; asks ECS about every task coscale remembers (100 per DescribeTasks). */
    void forgetStopped() throws InterruptedException {
        Set<String> known = new HashSet<>();
        synchronized (this) {
            known.addAll(busySince.keySet());
            known.addAll(protectedUntil.keySet());
            known.addAll(exits.keySet());
        }
        if (known.isEmpty()) {
            return;
        }
        Map<String, TaskState> states = ControlContext.READ_RETRIES.run(() -> ctx.ecs().describeTasks(pool.cluster(), known));
        synchronized (this) {
            states.values().stream().filter(t -> !t.isLive()).map(TaskState::taskArn).forEach(arn -> {
                busySince.remove(arn);
                protectedUntil.remove(arn);
                exits.remove(arn);
            });
        }
    }

    synchronized int busyCount() {
        return busySince.size();
    }

    synchronized int protectedCount() {
        Instant now = ctx.clock().instant();
        return (int) protectedUntil.values().stream().filter(until -> until.isAfter(now)).count();
    }

    private synchronized boolean isProtected(String taskArn) {
        return Optional.ofNullable(protectedUntil.get(taskArn)).map(u -> u.isAfter(ctx.clock().instant())).orElse(false);
    }

    static String shortId(String taskArn) {
        return taskArn.substring(taskArn.lastIndexOf('/') + 1);
    }
}
