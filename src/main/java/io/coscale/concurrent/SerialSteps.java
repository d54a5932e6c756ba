package io.coscale.concurrent;

import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.Supplier;

/**
 * Runs asynchronous steps one at a time, in submission order: a step starts only once the future of the step
 * before it has completed, however it completed. One instance per pool serializes every change to that pool's
 * {@code desiredCount}. Owns no threads, and a step that waits (for a budget token, for ECS) holds none: it has
 * returned its future, and the next step is started by that future's completion.
 *
 * <p>Guarantees:
 * <ul>
 *   <li><b>Ordering</b>: steps start in the order their {@code submit} calls returned.</li>
 *   <li><b>Serialization</b>: a step starts after the previous step's future completed, and happens-after it.</li>
 *   <li><b>Non-reentrancy</b>: a step submitted from inside a step starts after it, never nested: every start
 *       goes through {@code executor}.</li>
 *   <li><b>Failure isolation</b>: a step that throws, or whose future fails, fails only its own future.</li>
 * </ul>
 */
public final class SerialSteps {

    private final Executor executor;
    // @GuardedBy("this") the future of the last step submitted: the next step starts when it completes.
    private CompletableFuture<?> tail = CompletableFuture.completedFuture(null);

    public SerialSteps(Executor executor) {
        this.executor = Objects.requireNonNull(executor, "executor");
    }

    /** Queues {@code step}; the answer completes as the future the step returns does (or with what it threw). */
    public <T> CompletableFuture<T> submit(Supplier<? extends CompletionStage<T>> step) {
        Objects.requireNonNull(step, "step");
        CompletableFuture<T> result = new CompletableFuture<>();
        CompletableFuture<?> previous;
        synchronized (this) {
            previous = tail;
            tail = result;
        }
        // handleAsync, not whenCompleteAsync: the latter's future carries the previous step's failure, which would
        // then answer this step (before its own outcome) with the error of the one before it.
        previous.handleAsync((ignored, failure) -> {
            Futures.relay(Futures.start(step), result);
            return null;
        }, executor).exceptionally(rejected -> {
            // The executor refused to start the step (it is shutting down): fail it rather than strand the queue.
            result.completeExceptionally(rejected);
            return null;
        });
        return result;
    }
}
