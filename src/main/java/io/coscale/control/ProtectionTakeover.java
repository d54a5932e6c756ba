package io.coscale.control;

import io.coscale.aws.ServiceState;
import io.coscale.control.budget.TaskReadBudget;
import io.coscale.domain.Mode;
import io.coscale.domain.Pool;
import java.util.function.Consumer;

/**
 * A protect-mode pool's take-over of the scale-in protection ECS holds for its tasks, once after a start-up or a lease
 * takeover: the coscale that gave it is gone, and this one must renew it, keep it through a stay and drop it on an
 * exit ({@link PoolTasks#adopt}). Started by the pool's first reconcile, or by the renewal's schedule when no reconcile step
 * comes (the pool's reads keep failing), it is not part of that step: its reads wait
 * for their turn of the task-read budget ({@link TaskReadBudget}), which at a thousand pools takes a minute or more
 * (claims' reads go first), and the pool's releases and scale-ups must not wait behind it.
 *
 * <p>Until it is done the pool works as it always did: the tasks' protection is ECS's, so a scale-in (only ever after
 * {@code exit-settle}) still cannot stop a protected task; a release unprotects its own task whether or not it was
 * taken over; a claim protects as usual, and its expiry wins over the one read. What waits is only the renewal of
 * protection not yet taken over, which the last coscale renewed a quarter of its length ahead (30 minutes by default).
 * A take-over that fails is due again at the next reconcile.
 *
 * <p>Its reads are made by its cluster's sweep ({@link ClusterSweeps}), shared with the other pools of the cluster that
 * are due at the same time.
 */
final class ProtectionTakeover {

    private enum State { DUE, RUNNING, DONE }

    private final Pool pool;
    private final PoolTasks tasks;
    private final ClusterSweeps sweeps;
    private final Consumer<Throwable> failed;
    private final State initial;
    // @GuardedBy("this")
    private State state;
    /** Counts restarts: a take-over begun before the last one must not fill in what the restart forgot. */
    // @GuardedBy("this")
    private long round;

    /** @param failed told of a failed take-over (the pool's lastError and an event) */
    ProtectionTakeover(Pool pool, PoolTasks tasks, ClusterSweeps sweeps, Consumer<Throwable> failed) {
        this.pool = pool;
        this.tasks = tasks;
        this.sweeps = sweeps;
        this.failed = failed;
        this.initial = pool.mode() == Mode.PROTECT ? State.DUE : State.DONE;
        this.state = initial;
        if (initial == State.DUE) {
            sweeps.register(pool.cluster(), this);
        }
    }

    /** The pool's reconcile saw its service: its tasks count toward the cost of a sweep; starts the take-over if due. */
    void reconciled(ServiceState service) {
        sweeps.seen(pool.cluster(), service);
        startIfDue();
    }

    /** Starts the take-over when it is due, and returns at once. */
    void startIfDue() {
        long mine;
        synchronized (this) {
            if (state != State.DUE) {
                return;
            }
            state = State.RUNNING;
            mine = round;
        }
        sweeps.protectionOf(pool).whenComplete((found, e) -> {
            boolean current;
            synchronized (this) {
                current = round == mine;
                if (current) {
                    // Under this lock, so that a restart cannot fall between the check and the merge.
                    if (e == null) {
                        tasks.adopt(found);
                    }
                    state = e == null ? State.DONE : State.DUE;
                }
            }
            if (current && e != null) {
                failed.accept(e);
            } else if (current) {
                // What lapses soon is renewed now, not at the next renewal run: the leader before may be gone for a while.
                tasks.renewExpiring();
            }
        });
    }

    /** This replica has just taken the lease over: what it knew of protection is forgotten, and taken over again. */
    synchronized void restart() {
        round++;
        state = initial;
        tasks.forgetProtection();
    }

    /** The pool is no longer managed: no sweep asks it to join again. */
    void retire() {
        sweeps.forget(pool.cluster(), this);
    }

    /** Whether the protection ECS held at start-up (or at the last lease takeover) is taken over. */
    synchronized boolean done() {
        return state == State.DONE;
    }
}
