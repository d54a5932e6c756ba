package io.coscale.lease;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The fenced ECS writes a leader has started and not yet seen end, so that a hand-over can wait for them before it
 * releases the lease: a write that lands after the next leader's first write would undo it.
 */
final class WritesInFlight {

    private final Object lock = new Object();
    /** Writes started and not yet ended. @GuardedBy("lock") */
    private int count;

    /**
     * Runs {@code write} counted as in flight, counting it before {@code check}: a hand-over that resigned before the
     * check makes it refuse, and one that resigned after it finds the write counted and waits for it.
     */
    <T> T run(Runnable check, Supplier<T> write) {
        synchronized (lock) {
            count++;
        }
        try {
            check.run();
            return write.get();
        } finally {
            synchronized (lock) {
                count--;
                lock.notifyAll();
            }
        }
    }

    /**
     * Waits, in real time, until no write is in flight, or at most {@code limit}: each ECS call ends by
     * {@code coscale.ecs.call-timeout}, checked at start-up to fit the lease's margins.
     *
     * @return whether none is in flight
     */
    boolean awaitNone(Duration limit) {
        long deadline = System.nanoTime() + limit.toNanos();
        synchronized (lock) {
            while (count > 0) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                try {
                    TimeUnit.NANOSECONDS.timedWait(lock, left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
            return true;
        }
    }
}
