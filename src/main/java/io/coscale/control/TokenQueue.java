package io.coscale.control;

import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Callers waiting for tokens of a {@link TokenBucket}, served first come first served, each with a future: waiting
 * holds no thread, and one timer wakes up when the next token is due. A token is handed out only while at least
 * {@code reserve} stay in the bucket, so that callers who take tokens from the bucket directly, without queueing here,
 * always find some.
 */
final class TokenQueue {

    private final TokenBucket bucket;
    private final int reserve;
    private final ScheduledExecutorService timer;
    /** Whether {@link #close} stops the timer: it does when the queue made it. */
    private final boolean ownTimer;
    // @GuardedBy("this")
    private final ArrayDeque<CompletableFuture<Void>> waiting = new ArrayDeque<>();
    // @GuardedBy("this") whether a wake-up is scheduled for the head of the queue
    private boolean wakeUpScheduled;

    /** @param threadName the name of the timer's thread, which only wakes the queue up */
    TokenQueue(TokenBucket bucket, int reserve, String threadName) {
        this(bucket, reserve, Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, threadName);
            t.setDaemon(true);
            return t;
        }), true);
    }

    /** On a timer the caller owns (and stops): {@link #close} leaves it running. */
    TokenQueue(TokenBucket bucket, int reserve, ScheduledExecutorService timer) {
        this(bucket, reserve, timer, false);
    }

    private TokenQueue(TokenBucket bucket, int reserve, ScheduledExecutorService timer, boolean ownTimer) {
        if (reserve < 0 || reserve + 1 > bucket.capacity()) {
            throw new IllegalArgumentException("a reserve of " + reserve + " leaves no token of a bucket of "
                    + bucket.capacity() + " to hand out");
        }
        this.bucket = bucket;
        this.reserve = reserve;
        this.timer = timer;
        this.ownTimer = ownTimer;
    }

    /** Completes once one call may go out; the token is taken for the caller. Never blocks. */
    CompletableFuture<Void> acquire() {
        CompletableFuture<Void> turn = new CompletableFuture<>();
        synchronized (this) {
            waiting.add(turn);
        }
        serve();
        return turn;
    }

    /** Callers waiting for a token now. */
    synchronized int waiting() {
        return waiting.size();
    }

    /** Hands out the tokens above the reserve, in order; schedules one wake-up for when the next one is due. */
    private void serve() {
        ArrayDeque<CompletableFuture<Void>> served = new ArrayDeque<>();
        synchronized (this) {
            int granted = bucket.tryAcquire(waiting.size(), reserve);
            for (int i = 0; i < granted; i++) {
                served.add(waiting.poll());
            }
            if (!waiting.isEmpty() && !wakeUpScheduled) {
                wakeUpScheduled = true;
                timer.schedule(() -> {
                    synchronized (this) {
                        wakeUpScheduled = false;
                    }
                    serve();
                }, Math.max(bucket.nanosUntilAvailable(reserve), 100_000), TimeUnit.NANOSECONDS);
            }
        }
        // Outside the lock: what the callers chained runs here.
        served.forEach(turn -> turn.complete(null));
    }

    void close() {
        if (ownTimer) {
            timer.shutdownNow();
        }
    }
}
