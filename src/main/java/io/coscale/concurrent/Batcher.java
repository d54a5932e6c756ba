package io.coscale.concurrent;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.BiPredicate;

/**
 * Merges single requests into batch calls, per key (an ECS cluster): while one call for a key is in
 * flight, requests for that key wait and go together into the next call, up to {@code maxBatch} items. A call is
 * made on the executor and answers there ({@link BatchCall}), or returns a future ({@link AsyncBatchCall}): one that
 * waits for a budget's turn holds no thread meanwhile.
 *
 * <p>Guarantees: requests of one key are sent in the order they were submitted; one call per key at a
 * time; a batch holds only consecutive requests that are {@code compatible} with its first (so that "protect
 * T" and a later "unprotect T" are never reordered). Every future completes: with the call's answer for its
 * item, or exceptionally with the call's failure, or with {@link IllegalStateException} when the answer
 * lacks the item.
 *
 * @param <K> what batches are grouped by
 * @param <I> one request
 * @param <R> one request's answer
 */
public final class Batcher<K, I, R> {

    /** One batch call: answers by item; an item missing from the map failed. */
    @FunctionalInterface
    public interface BatchCall<K, I, R> {
        Map<I, R> call(K key, List<I> items);
    }

    /** One batch call that answers later: answers by item; an item missing from the map failed. */
    @FunctionalInterface
    public interface AsyncBatchCall<K, I, R> {
        CompletableFuture<Map<I, R>> call(K key, List<I> items);
    }

    private record Pending<I, R>(I item, CompletableFuture<R> future) {
    }

    private final int maxBatch;
    private final Executor executor;
    private final AsyncBatchCall<K, I, R> call;
    private final BiPredicate<I, I> compatible;

    // @GuardedBy("this"): a key is present while a drain for it is scheduled or running.
    private final Map<K, ArrayDeque<Pending<I, R>>> queues = new HashMap<>();

    public Batcher(int maxBatch, Executor executor, BatchCall<K, I, R> call, BiPredicate<I, I> compatible) {
        this(maxBatch, executor, compatible, (key, items) -> CompletableFuture.completedFuture(call.call(key, items)));
    }

    private Batcher(int maxBatch, Executor executor, BiPredicate<I, I> compatible, AsyncBatchCall<K, I, R> call) {
        this.maxBatch = maxBatch;
        this.executor = executor;
        this.call = call;
        this.compatible = compatible;
    }

    /** A batcher whose calls answer later; the next call of a key is made on {@code executor} once one answered. */
    public static <K, I, R> Batcher<K, I, R> async(int maxBatch, Executor executor, AsyncBatchCall<K, I, R> call,
            BiPredicate<I, I> compatible) {
        return new Batcher<>(maxBatch, executor, compatible, call);
    }

    /** Queues one request; the future completes when its batch call has answered. */
    public CompletableFuture<R> submit(K key, I item) {
        CompletableFuture<R> future = new CompletableFuture<>();
        boolean startDrain;
        synchronized (this) {
            ArrayDeque<Pending<I, R>> queue = queues.get(key);
            startDrain = queue == null;
            if (startDrain) {
                queue = new ArrayDeque<>();
                queues.put(key, queue);
            }
            queue.add(new Pending<>(item, future));
        }
        if (startDrain) {
            executor.execute(() -> drain(key));
        }
        return future;
    }

    private void drain(K key) {
        while (true) {
            List<Pending<I, R>> batch = new ArrayList<>();
            synchronized (this) {
                ArrayDeque<Pending<I, R>> queue = queues.get(key);
                if (queue.isEmpty()) {
                    // Removing the key under the lock hands the next submit the job of starting a drain.
                    queues.remove(key);
                    return;
                }
                batch.add(queue.poll());
                while (batch.size() < maxBatch && !queue.isEmpty() && compatible.test(batch.get(0).item(), queue.peek().item())) {
                    batch.add(queue.poll());
                }
            }
            CompletableFuture<Map<I, R>> answers = start(key, batch);
            if (!answers.isDone()) {
                // The key's next call waits for this one's answer, on the executor; no thread waits meanwhile.
                answers.whenComplete((ok, e) -> {
                    answer(batch, ok, e);
                    executor.execute(() -> drain(key));
                });
                return;
            }
            answers.whenComplete((ok, e) -> answer(batch, ok, e));
        }
    }

    private CompletableFuture<Map<I, R>> start(K key, List<Pending<I, R>> batch) {
        try {
            return call.call(key, batch.stream().map(Pending::item).toList());
        } catch (RuntimeException | Error e) {
            // An Error too: escaping the drain, it would leave the key's queue with no drain, its requests waiting forever.
            return CompletableFuture.failedFuture(e);
        }
    }

    private void answer(List<Pending<I, R>> batch, Map<I, R> answers, Throwable failure) {
        if (failure != null) {
            Throwable cause = Futures.cause(failure);
            batch.forEach(p -> p.future().completeExceptionally(cause));
            return;
        }
        for (Pending<I, R> p : batch) {
            if (answers.containsKey(p.item())) {
                p.future().complete(answers.get(p.item()));
            } else {
                p.future().completeExceptionally(new NoAnswerException("no answer for " + p.item()));
            }
        }
    }

    /** The merged call answered, but not for this item. */
    public static final class NoAnswerException extends RuntimeException {

        NoAnswerException(String message) {
            super(message);
        }
    }
}
