package io.coscale.control.budget;

import static org.assertj.core.api.Assertions.assertThat;

import io.coscale.concurrent.TokenBucket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class EcsBudgetTest {

    @Test
    void waitersAreServedInOrderAsTokensComeWithoutHoldingTheirThreads() throws Exception {
        // 2 now, then one per 50 ms. The clock stands still until the six have asked, so that a slow machine cannot
        // refill the bucket between two of them; then it runs, and the waiters must be served as tokens come.
        AtomicBoolean held = new AtomicBoolean(true);
        long start = System.nanoTime();
        EcsBudget budget = new EcsBudget(new TokenBucket(2, 20, () -> held.get() ? start : System.nanoTime()),
                "coscale-budget");
        try {
            List<Integer> served = new CopyOnWriteArrayList<>();
            List<CompletableFuture<Void>> turns = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                int n = i;
                turns.add(budget.acquire().thenRun(() -> served.add(n)));
            }
            assertThat(served).as("the burst at once").containsExactly(0, 1);
            assertThat(budget.waiting()).as("the rest wait as futures, not as parked threads").isEqualTo(4);

            held.set(false);
            CompletableFuture.allOf(turns.toArray(CompletableFuture[]::new)).get(5, TimeUnit.SECONDS);
            assertThat(served).containsExactly(0, 1, 2, 3, 4, 5);
            assertThat(budget.waiting()).isZero();
        } finally {
            budget.close();
        }
    }
}
