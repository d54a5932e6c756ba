package io.coscale.concurrent;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/** The one place coscale turns calls into futures, waits on them, and unwraps their failures. */
public final class Futures {

    private Futures() {
    }

    /** A blocking call run on {@code executor}: its answer, or its exception as the future's failure. */
    public static <T> CompletableFuture<T> on(Executor executor, Supplier<T> call) {
        return CompletableFuture.supplyAsync(call, executor);
    }

    /** A step that may throw before it returns its future: the throw becomes the future's failure. */
    public static <T> CompletableFuture<T> start(Supplier<? extends CompletionStage<T>> step) {
        try {
            return step.get().toCompletableFuture();
        } catch (RuntimeException | Error e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /** Completes {@code target} as {@code source} completes: with its value, or with its failure's {@link #cause}. */
    public static <T> void relay(CompletionStage<T> source, CompletableFuture<T> target) {
        source.whenComplete((value, failure) -> {
            if (failure != null) {
                target.completeExceptionally(cause(failure));
            } else {
                target.complete(value);
            }
        });
    }

    /** Completes after {@code millis}, without holding a thread meanwhile. */
    public static CompletableFuture<Void> delay(ScheduledExecutorService timer, long millis) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        timer.schedule(() -> done.complete(null), millis, TimeUnit.MILLISECONDS);
        return done;
    }

    /**
     * Waits for {@code future} up to {@code timeout}: the one blocking wait on a future.
     *
     * @return its value
     * @throws TimeoutException when it has not completed in time (it goes on)
     * @throws InterruptedException when the wait was interrupted
     * @throws RuntimeException its failure, unwrapped ({@link #unchecked})
     */
    public static <T> T await(Future<T> future, Duration timeout) throws TimeoutException, InterruptedException {
        try {
            return future.get(Math.max(0, timeout.toNanos()), TimeUnit.NANOSECONDS);
        } catch (ExecutionException e) {
            throw unchecked(e);
        }
    }

    /** What really went wrong: the cause inside the wrappers futures add. */
    public static Throwable cause(Throwable e) {
        Throwable t = e;
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    /** {@link #cause} as something a caller can throw on. */
    public static RuntimeException unchecked(Throwable e) {
        Throwable cause = cause(e);
        return cause instanceof RuntimeException r ? r : new IllegalStateException(cause);
    }
}
