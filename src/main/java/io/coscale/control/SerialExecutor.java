package io.coscale.control;

import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

import org.jboss.logging.Logger;

/**
 * Runs tasks one at a time, in submission order, on a shared delegate executor; owns no threads. One
 * instance per pool serializes every change to that pool's {@code desiredCount} (after grpc-java's
 * {@code SerializingExecutor} and Guava's {@code SequentialExecutor}).
 *
 * <p>Guarantees:
 * <ul>
 *   <li><b>Ordering</b>: tasks run in the order their {@code execute} calls returned.</li>
 *   <li><b>Serialization</b>: no two tasks of one instance ever run at once, and each task happens-before
 *       the next (the hand-off goes through this instance's monitor).</li>
 *   <li><b>Non-reentrancy</b>: a task submitted from inside a running task runs after it, never nested.</li>
 *   <li><b>Failure isolation</b>: a task that throws is logged and the next task still runs.</li>
 *   <li><b>Rejection</b>: if the delegate rejects, {@code execute} throws {@link RejectedExecutionException}
 *       and that task is dropped (its submitter knows). The executor is not left stuck: the next
 *       {@code execute} schedules again and also runs tasks other threads queued meanwhile, in order.</li>
 * </ul>
 * A drain runs until the queue is empty, so a busy pool holds one delegate thread while it has work.
 */
public final class SerialExecutor implements Executor {

    private static final Logger LOG = Logger.getLogger(SerialExecutor.class);

    private enum State { IDLE, QUEUED, RUNNING }

    private final String name;
    private final Executor delegate;
    // @GuardedBy("this")
    private final ArrayDeque<Runnable> queue = new ArrayDeque<>();
    // @GuardedBy("this") IDLE: no drain; QUEUED: handed to the delegate, not started; RUNNING: draining.
    private State state = State.IDLE;
    // @GuardedBy("this") drains started so far: tells a rejection whether its own drain ever began.
    private long drainsStarted;

    /** A serial executor over {@code delegate}; {@code name} (e.g. the pool's) appears in its log lines. */
    public SerialExecutor(String name, Executor delegate) {
        this.name = Objects.requireNonNull(name, "name");
        this.delegate = Objects.requireNonNull(delegate, "delegate");
    }

    /**
     * Queues {@code task} to run after every task submitted before it, on a delegate thread (the caller's
     * own only if the delegate runs tasks inline; even then a task submitted by a running task waits).
     *
     * @throws RejectedExecutionException if the delegate refused to start a drain; {@code task} will not run
     */
    @Override
    public void execute(Runnable task) {
        Objects.requireNonNull(task, "task");
        long startedBefore;
        synchronized (this) {
            queue.add(task);
            if (state != State.IDLE) {
                return; // a drain is queued or running and will reach this task: it re-checks under the lock
            }
            state = State.QUEUED;
            startedBefore = drainsStarted;
        }
        try {
            delegate.execute(this::drain);
        } catch (RuntimeException | Error e) {
            synchronized (this) {
                // Race: an odd delegate may start the drain and then throw; by now that drain may even have
                // finished and another execute queued a new one, so QUEUED alone does not prove it is ours.
                // Only if no drain started since ours was handed over does none exist: free the state for
                // the next execute and withdraw our task, the one the caller is told about.
                if (state == State.QUEUED && drainsStarted == startedBefore) {
                    state = State.IDLE;
                    removeLast(task);
                    throw e;
                }
            }
            // A drain did start: it owns the queue and runs our task, so the caller has nothing to hear.
        }
    }

    private void drain() {
        synchronized (this) {
            drainsStarted++;
            state = State.RUNNING;
        }
        boolean interrupted = false;
        try {
            while (true) {
                Runnable task;
                synchronized (this) {
                    task = queue.poll();
                    if (task == null) {
                        // Cleared under the same lock execute() checks, so a task added after this
                        // poll sees IDLE and schedules a new drain: none is ever stranded.
                        state = State.IDLE;
                        return;
                    }
                }
                try {
                    task.run();
                } catch (Throwable t) { // Errors too: a wedged pool would never scale again
                    LOG.errorf(t, "task on serial executor '%s' failed; continuing with the next", name);
                }
                // One task's interrupt must not cancel the next; it is restored for the delegate thread below.
                interrupted |= Thread.interrupted();
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    // @GuardedBy("this") Identity, not equals: the same Runnable may be queued twice; drop one copy.
    private void removeLast(Runnable task) {
        for (Iterator<Runnable> it = queue.descendingIterator(); it.hasNext(); ) {
            if (it.next() == task) {
                it.remove();
                return;
            }
        }
    }

    @Override
    public String toString() {
        return "SerialExecutor[" + name + "]";
    }
}
