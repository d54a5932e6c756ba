package io.coscale.concurrent;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Callers waiting for tokens of a {@link TokenBucket}, served first come first served, each with a future: waiting
 * holds no thread, and one timer wakes up when the next token is due. A token is handed out only while at least
 * {@code reserve} stay in the bucket, so that callers who take tokens from the bucket directly, without queueing here,
 * always find some; but a first waiter that has waited {@code maxWait} without anyone being served takes one below it
 * ({@link TokenReserve}'s aging), so that those callers cannot keep the queue waiting for ever.
 */
public final class TokenQueue {

    /** A waiter, and when it came on the bucket's clock. */
    private record Waiter(CompletableFuture<Void> turn, long since) {
    }

    private final TokenBucket bucket;
    private final int reserve;
    private final long maxWaitNanos;
    /** Only wakes the queue up. */
    private final ScheduledExecutorService timer;
    // @GuardedBy("this")
    private final ArrayDeque<Waiter> waiting = new ArrayDeque<>();
    // @GuardedBy("this") when the queue last handed out a token, on the bucket's clock: the first waiter ages from here
    private long lastServed = Long.MIN_VALUE;
    // @GuardedBy("this") whether a wake-up is scheduled for the head of the queue
    private boolean wakeUpScheduled;

    /**
     * Without a reserve: every whole token goes to the waiters, so aging has nothing to change.
     *
     * @param threadName the name of the timer's thread, which only wakes the queue up
     */
    public TokenQueue(TokenBucket bucket, String threadName) {
        this(bucket, 0, Duration.ofNanos(Long.MAX_VALUE), threadName);
    }

    /**
     * @param maxWait how long the first waiter waits, with nobody served, before it takes a token below the reserve
     * @param threadName the name of the timer's thread, which only wakes the queue up
     */
    public TokenQueue(TokenBucket bucket, int reserve, Duration maxWait, String threadName) {
        if (reserve < 0 || reserve + 1 > bucket.capacity()) {
            throw new IllegalArgumentException("a reserve of " + reserve + " leaves no token of a bucket of "
                    + bucket.capacity() + " to hand out");
        }
        if (maxWait.isNegative() || maxWait.isZero()) {
            throw new IllegalArgumentException("the longest wait must be > 0, got " + maxWait);
        }
        this.bucket = bucket;
        this.reserve = reserve;
        this.maxWaitNanos = maxWait.toNanos();
        this.timer = Executors.newSingleThreadScheduledExecutor(Threads.daemon(threadName));
    }

    /** Completes once one call may go out; the token is taken for the caller. Never blocks. */
    public CompletableFuture<Void> acquire() {
        CompletableFuture<Void> turn = new CompletableFuture<>();
        synchronized (this) {
            waiting.add(new Waiter(turn, bucket.nanoTime()));
        }
        serve();
        return turn;
    }

    /** Callers waiting for a token now. */
    public synchronized int waiting() {
        return waiting.size();
    }

    /**
     * Hands out the tokens above the reserve (or one below it to a first waiter that has waited {@code maxWait}), in
     * order; schedules one wake-up for when the next one is due, or the first waiter's {@code maxWait} if sooner.
     */
    private void serve() {
        ArrayDeque<CompletableFuture<Void>> served = new ArrayDeque<>();
        synchronized (this) {
            long now = bucket.nanoTime();
            int granted = waiting.isEmpty() ? 0
                    : bucket.tryAcquire(waiting.size(), reserve, headWait(now), maxWaitNanos);
            if (granted > 0) {
                lastServed = now;
            }
            for (int i = 0; i < granted; i++) {
                served.add(waiting.poll().turn());
            }
            if (!waiting.isEmpty() && !wakeUpScheduled) {
                wakeUpScheduled = true;
                timer.schedule(() -> {
                    synchronized (this) {
                        wakeUpScheduled = false;
                    }
                    serve();
                }, Math.max(bucket.nanosUntilAvailable(reserve, headWait(now), maxWaitNanos), 100_000),
                        TimeUnit.NANOSECONDS);
            }
        }
        // Outside the lock: what the callers chained runs here.
        served.forEach(turn -> turn.complete(null));
    }

    /** How long the first waiter has waited with nobody served: since it came, or since the last token went. */
    // @GuardedBy("this"), with a waiter
    private long headWait(long now) {
        return Math.max(0, now - Math.max(waiting.peek().since(), lastServed));
    }

    public void close() {
        timer.shutdownNow();
    }
}
