package io.coscale.concurrent;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;

/** Retries {@link TransientFailure transient failures} with capped exponential backoff and full jitter. */
public final class Backoff {

    private final int attempts;
    private final long baseMillis;
    private final long capMillis;

    public Backoff(int attempts, long baseMillis, long capMillis) {
        this.attempts = attempts;
        this.baseMillis = baseMillis;
        this.capMillis = capMillis;
    }

    /**
     * Runs {@code call} until it succeeds, fails terminally, or has failed transiently {@code attempts} times. The
     * pauses between attempts hold no thread: they are waits on {@code timer}.
     */
    public <T> CompletableFuture<T> runAsync(Supplier<? extends CompletionStage<T>> call, ScheduledExecutorService timer) {
        return runAsync(call, timer, ThreadLocalRandom.current());
    }

    /** As {@link #runAsync(Supplier, ScheduledExecutorService)}, the pauses' jitter drawn from {@code jitter}. */
    public <T> CompletableFuture<T> runAsync(Supplier<? extends CompletionStage<T>> call, ScheduledExecutorService timer,
            RandomGenerator jitter) {
        return attempt(call, timer, jitter, 1, null);
    }

    /**
     * As {@link #runAsync(Supplier, ScheduledExecutorService, RandomGenerator)}, for a write: its failure is as
     * uncertain as its most uncertain attempt ({@link Attempts}), so that a caller told "surely not applied" can rely
     * on it for every attempt.
     */
    public <T> CompletableFuture<T> runWriteAsync(Supplier<? extends CompletionStage<T>> call,
            ScheduledExecutorService timer, RandomGenerator jitter) {
        return attempt(call, timer, jitter, 1, Attempts.NONE);
    }

    /** @param failed what the earlier attempts of a write said; null for a read */
    private <T> CompletableFuture<T> attempt(Supplier<? extends CompletionStage<T>> call, ScheduledExecutorService timer,
            RandomGenerator jitter, int attempt, Attempts failed) {
        return Futures.start(call).handle((value, e) -> {
            if (e == null) {
                return CompletableFuture.completedFuture(value);
            }
            Throwable cause = Futures.cause(e);
            if (!(cause instanceof TransientFailure failure) || !failure.isTransient() || attempt >= attempts) {
                return CompletableFuture.<T>failedFuture(failed == null ? cause : failed.failure(cause));
            }
            Attempts sofar = failed == null ? null : failed.after(cause);
            return Futures.delay(timer, delayMillis(attempt, jitter))
                    .thenCompose(ignored -> attempt(call, timer, jitter, attempt + 1, sofar));
        }).thenCompose(next -> next);
    }

    /** The pause before attempt {@code attempt + 1}: random in [0, min(cap, base·2^(attempt-1))]. */
    public long delayMillis(int attempt) {
        return delayMillis(attempt, ThreadLocalRandom.current());
    }

    /** As {@link #delayMillis(int)}, drawn from {@code jitter}. */
    public long delayMillis(int attempt, RandomGenerator jitter) {
        return jitter.nextLong(ceilingMillis(baseMillis, capMillis, attempt) + 1);
    }

    /** The longest pause before attempt {@code attempt + 1}: {@code min(cap, base·2^(attempt-1))}. */
    public static long ceilingMillis(long baseMillis, long capMillis, int attempt) {
        return Math.min(capMillis, baseMillis << Math.min(attempt - 1, 20));
    }
}
