package io.coscale.concurrent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;

/** The per-key batcher, driven by a hand-drained executor so that every interleaving is chosen by the test. */
class BatcherTest {

    private final ArrayDeque<Runnable> pending = new ArrayDeque<>();
    private final List<String> calls = new ArrayList<>();

    private Batcher<String, String, String> batcher(int maxBatch) {
        return new Batcher<>(maxBatch, pending::add, (key, items) -> {
            calls.add(key + ":" + String.join(",", items));
            Map<String, String> answers = new HashMap<>();
            items.stream().filter(i -> !i.startsWith("lost")).forEach(i -> answers.put(i, i.toUpperCase()));
            if (items.contains("boom")) {
                throw new IllegalStateException("ECS said no");
            }
            return answers;
        }, (first, next) -> first.charAt(0) == next.charAt(0));
    }

    private void drain() {
        while (!pending.isEmpty()) {
            pending.poll().run();
        }
    }

    @Test
    void requestsQueuedWhileACallIsPendingShareTheNextCall() throws Exception {
        Batcher<String, String, String> batcher = batcher(10);
        CompletableFuture<String> a = batcher.submit("c1", "a1");
        CompletableFuture<String> b = batcher.submit("c1", "a2");
        CompletableFuture<String> c = batcher.submit("c2", "a3");
        assertThat(pending).hasSize(2); // one drain per key, not per request
        drain();
        assertThat(calls).containsExactly("c1:a1,a2", "c2:a3");
        assertThat(List.of(a.get(), b.get(), c.get())).containsExactly("A1", "A2", "A3");
    }

    @Test
    void batchesHoldAtMostMaxItemsAndKeepOrder() {
        Batcher<String, String, String> batcher = batcher(2);
        for (String item : List.of("a1", "a2", "a3", "a4", "a5")) {
            batcher.submit("c", item);
        }
        drain();
        assertThat(calls).containsExactly("c:a1,a2", "c:a3,a4", "c:a5");
    }

    @Test
    void incompatibleRequestsAreNotReorderedAcrossEachOther() {
        Batcher<String, String, String> batcher = batcher(10);
        for (String item : List.of("a1", "b1", "a2", "a3", "b2")) {
            batcher.submit("c", item);
        }
        drain();
        assertThat(calls).containsExactly("c:a1", "c:b1", "c:a2,a3", "c:b2");
    }

    @Test
    void aFailedCallFailsItsRequestsOnlyAndTheKeyKeepsWorking() throws Exception {
        Batcher<String, String, String> batcher = batcher(1);
        CompletableFuture<String> failed = batcher.submit("c", "boom");
        CompletableFuture<String> lost = batcher.submit("c", "lost");
        CompletableFuture<String> fine = batcher.submit("c", "fine");
        drain();
        assertThatThrownBy(failed::get).isInstanceOf(ExecutionException.class).hasMessageContaining("ECS said no");
        assertThatThrownBy(lost::get).isInstanceOf(ExecutionException.class).hasMessageContaining("no answer");
        assertThat(fine.get()).isEqualTo("FINE");
        batcher.submit("c", "later");
        assertThat(pending).hasSize(1); // the key went idle and a new drain started
    }
    /**
     * Issue 21: a call that throws an Error (an AssertionError, a StackOverflowError) fails its batch and the key's
     * queue drains on; before, the Error escaped the drain and every later request of the key waited forever.
     */
    @Test
    void anErrorFailsItsBatchAndTheKeysQueueDrainsOn() throws Exception {
        List<String> failing = new ArrayList<>(List.of("e1"));
        Batcher<String, String, String> batcher = new Batcher<>(1, pending::add, (key, items) -> {
            if (failing.remove(items.get(0))) {
                throw new AssertionError("a bug in the call");
            }
            return Map.of(items.get(0), items.get(0).toUpperCase());
        }, (first, next) -> true);
        CompletableFuture<String> broken = batcher.submit("c", "e1");
        CompletableFuture<String> next = batcher.submit("c", "e2");

        try {
            drain();
        } catch (AssertionError escaped) {
            // before the fix the Error escaped the drain; the futures say what became of the requests
        }

        assertThat(broken).as("failed with the Error").isCompletedExceptionally();
        assertThatThrownBy(broken::get).isInstanceOf(ExecutionException.class).hasCauseInstanceOf(AssertionError.class);
        assertThat(next).as("the key's next request is still served").isCompletedWithValue("E2");
        CompletableFuture<String> later = batcher.submit("c", "e3");
        drain();
        assertThat(later).isCompletedWithValue("E3");
    }

    /** A call that answers later holds the key's next call back until it answers, and no thread waits meanwhile. */
    @Test
    void anAsyncCallHoldsTheKeysNextCallUntilItAnswers() throws Exception {
        List<CompletableFuture<Map<String, String>>> answers = new ArrayList<>();
        Batcher<String, String, String> batcher = Batcher.async(2, pending::add, (key, items) -> {
            calls.add(key + ":" + String.join(",", items));
            CompletableFuture<Map<String, String>> answer = new CompletableFuture<>();
            answers.add(answer);
            return answer.thenApply(all -> {
                Map<String, String> mine = new HashMap<>();
                items.stream().filter(all::containsKey).forEach(i -> mine.put(i, all.get(i)));
                return mine;
            });
        }, (first, next) -> true);
        CompletableFuture<String> a = batcher.submit("c", "a1");
        drain();
        CompletableFuture<String> b = batcher.submit("c", "a2");
        CompletableFuture<String> c = batcher.submit("c", "a3");
        CompletableFuture<String> d = batcher.submit("c", "a4");
        drain();
        assertThat(calls).as("the second call waits for the first's answer").containsExactly("c:a1");
        assertThat(pending).isEmpty();

        answers.get(0).complete(Map.of("a1", "A1"));
        assertThat(a).isCompletedWithValue("A1");
        drain();
        assertThat(calls).as("what queued meanwhile goes together, up to the batch size").containsExactly("c:a1", "c:a2,a3");

        answers.get(1).completeExceptionally(new IllegalStateException("throttled"));
        assertThatThrownBy(b::get).isInstanceOf(ExecutionException.class).hasCauseInstanceOf(IllegalStateException.class);
        assertThat(c).isCompletedExceptionally();
        drain();
        answers.get(2).complete(Map.of());
        assertThatThrownBy(d::get).hasMessageContaining("no answer for a4");
        drain();
        batcher.submit("c", "later");
        assertThat(pending).as("the key went idle: a new drain starts").hasSize(1);
    }
}
