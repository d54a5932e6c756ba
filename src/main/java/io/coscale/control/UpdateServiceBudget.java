package io.coscale.control;

import io.coscale.config.EcsConfig;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The UpdateService budget all pools share: a token bucket sized like ECS's own account limit (50 burst,
 * 5 per second by default), so coscale slows itself down instead of being throttled.
 *
 * <p>Waiting for a token holds no thread: a caller gets a future, waiters are served first come first served, and
 * one timer wakes up when the next token is due. So a pool whose change waits for the budget never keeps another
 * pool, a claim or a batcher from running.
 */
@Singleton
public class UpdateServiceBudget {

    private final TokenBucket bucket;
    private final ScheduledExecutorService timer;
    // @GuardedBy("this")
    private final ArrayDeque<CompletableFuture<Void>> waiting = new ArrayDeque<>();
    // @GuardedBy("this") whether a wake-up is scheduled for the head of the queue
    private boolean wakeUpScheduled;

    @Inject
    UpdateServiceBudget(EcsConfig config) {
        this(new TokenBucket(config.updateService().burst(), config.updateService().ratePerSecond()));
    }

    UpdateServiceBudget(TokenBucket bucket) {
        this.bucket = bucket;
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "coscale-budget");
            t.setDaemon(true);
            return t;
        });
    }

    /** Completes once one call may go out; the token is taken for the caller. Never blocks. */
    public CompletableFuture<Void> acquire() {
        CompletableFuture<Void> turn = new CompletableFuture<>();
        synchronized (this) {
            waiting.add(turn);
        }
        serve();
        return turn;
    }

    /** Callers waiting for a token now. */
    public synchronized int waiting() {
        return waiting.size();
    }

    /** Hands out the tokens that are there, in order; schedules one wake-up for when the next one is due. */
    private void serve() {
        ArrayDeque<CompletableFuture<Void>> served = new ArrayDeque<>();
        synchronized (this) {
            while (!waiting.isEmpty() && bucket.tryAcquire()) {
                served.add(waiting.poll());
            }
            if (!waiting.isEmpty() && !wakeUpScheduled) {
                wakeUpScheduled = true;
                timer.schedule(() -> {
                    synchronized (this) {
                        wakeUpScheduled = false;
                    }
                    serve();
                }, Math.max(bucket.nanosUntilAvailable(), 100_000), TimeUnit.NANOSECONDS);
            }
        }
        // Outside the lock: what the callers chained runs here.
        served.forEach(turn -> turn.complete(null));
    }

    @PreDestroy
    void close() {
        timer.shutdownNow();
    }
}
