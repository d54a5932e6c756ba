package io.coscale.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The task-read budget on a clock the test moves by hand: claims spend freely, the take-over only above the reserve. */
class TaskReadBudgetTest {

    private final AtomicLong nanos = new AtomicLong();

    @Test
    void theTakeoverSpendsOnlyAboveTheReserveAndClaimsKeepIt() {
        TaskReadBudget budget = new TaskReadBudget(new TokenBucket(10, 1, nanos::get), 4);
        try {
            List<CompletableFuture<Void>> turns = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                turns.add(budget.takeoverTurn());
            }
            assertThat(turns).as("what lies above the reserve, at once").filteredOn(CompletableFuture::isDone).hasSize(6);
            assertThat(budget.takeoversWaiting()).isEqualTo(4);

            budget.spent(4);  // claims take the reserve, without waiting
            nanos.addAndGet(4_000_000_000L);  // refilled up to the reserve: still the claims'
            turns.add(budget.takeoverTurn());
            assertThat(budget.takeoversWaiting()).isEqualTo(5);

            nanos.addAndGet(2_000_000_000L);  // two above it: the two that waited longest go
            turns.add(budget.takeoverTurn());
            assertThat(turns).filteredOn(CompletableFuture::isDone).containsExactlyElementsOf(turns.subList(0, 8));
            assertThat(budget.takeoversWaiting()).isEqualTo(4);
        } finally {
            budget.close();
        }
    }

    @Test
    void aReserveThatLeavesTheTakeoverNothingIsRefused() {
        assertThatThrownBy(() -> new TaskReadBudget(new TokenBucket(10, 1), 10)).isInstanceOf(IllegalArgumentException.class);
    }
}
