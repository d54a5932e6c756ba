package io.coscale.control;

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
 */
final class ProtectionTakeover {

    private enum State { DUE, RUNNING, DONE }

    private final PoolTasks tasks;
    private final Consumer<Throwable> failed;
    private final State initial;
    // @GuardedBy("this")
    private State state;
    /** Counts restarts: a take-over begun before the last one must not fill in what the restart forgot. */
    // @GuardedBy("this")
    private long round;

    /** @param failed told of a failed take-over (the pool's lastError and an event) */
    ProtectionTakeover(Pool pool, PoolTasks tasks, Consumer<Throwable> failed) {
        this.tasks = tasks;
        this.failed = failed;
        this.initial = pool.mode() == Mode.PROTECT ? State.DUE : State.DONE;
        this.state = initial;
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
        tasks.protectionInEcs().whenComplete((found, e) -> {
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
            }
        });
    }

    /** This replica has just taken the lease over: what it knew of protection is forgotten, and taken over again. */
    synchronized void restart() {
        round++;
        state = initial;
        tasks.forgetProtection();
    }

    /** Whether the protection ECS held at start-up (or at the last lease takeover) is taken over. */
    synchronized boolean done() {
        return state == State.DONE;
    }
}
