package io.coscale.concurrent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** {@link InFlightLimit} with hand-completed calls: the bound, the order, and failures handing their permit on. */
class InFlightLimitTest {

    private final List<CompletableFuture<String>> started = new ArrayList<>();
    private final List<String> startOrder = new ArrayList<>();

    private CompletableFuture<String> call(String name) {
        startOrder.add(name);
        CompletableFuture<String> call = new CompletableFuture<>();
        started.add(call);
        return call;
    }

    @Test
    void noMoreThanThePermitsAreInFlightAndTheRestStartInOrder() {
        InFlightLimit limit = new InFlightLimit(2);
        List<CompletableFuture<String>> answers = new ArrayList<>();
        for (String name : List.of("a", "b", "c", "d")) {
            answers.add(limit.submit(() -> call(name)));
        }

        assertThat(startOrder).containsExactly("a", "b");
        assertThat(limit.inFlight()).isEqualTo(2);
        started.get(1).complete("B");
        assertThat(startOrder).containsExactly("a", "b", "c");
        started.get(0).complete("A");
        assertThat(startOrder).containsExactly("a", "b", "c", "d");
        started.get(2).complete("C");
        started.get(3).complete("D");

        assertThat(answers).extracting(CompletableFuture::join).containsExactly("A", "B", "C", "D");
        assertThat(limit.inFlight()).isZero();
    }

    @Test
    void aFailedCallFailsOnlyItsOwnAnswerAndHandsItsPermitOn() {
        InFlightLimit limit = new InFlightLimit(1);
        CompletableFuture<String> failing = limit.submit(() -> call("a"));
        CompletableFuture<String> next = limit.submit(() -> call("b"));

        started.get(0).completeExceptionally(new IllegalStateException("SQS down"));

        assertThat(failing).isCompletedExceptionally();
        assertThat(startOrder).containsExactly("a", "b");
        started.get(1).complete("B");
        assertThat(next).isCompletedWithValue("B");
        assertThat(limit.inFlight()).isZero();
    }

    @Test
    void aCallThatThrowsBeforeReturningItsFutureHandsItsPermitOn() {
        InFlightLimit limit = new InFlightLimit(1);
        CompletableFuture<String> thrown = limit.submit(() -> {
            throw new IllegalStateException("no thread");
        });
        CompletableFuture<String> next = limit.submit(() -> call("b"));

        assertThat(thrown).isCompletedExceptionally();
        assertThat(startOrder).containsExactly("b");
        started.get(0).complete("B");
        assertThat(next).isCompletedWithValue("B");
    }

    @Test
    void permitsBelowOneAreRefused() {
        assertThatThrownBy(() -> new InFlightLimit(0)).isInstanceOf(IllegalArgumentException.class);
    }
}
