package io.coscale.control.budget;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.coscale.concurrent.TokenBucket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

/**
 * The task-read budget, mostly on a clock the test moves by hand: claims spend freely, the take-over only above the
 * reserve, or below it once a read has waited its longest.
 */
class TaskReadBudgetTest {

    private final AtomicLong nanos = new AtomicLong();

    @Test
    void theTakeoverSpendsOnlyAboveTheReserveAndClaimsKeepIt() {
        TaskReadBudget budget = new TaskReadBudget(new TokenBucket(10, 1, nanos::get), 4, Duration.ofSeconds(10));
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
    void claimsHoldingTheBudgetBelowTheReserveLetOneAgedReadGoPerMaxWait() {
        TaskReadBudget budget = new TaskReadBudget(new TokenBucket(10, 1, nanos::get), 4, Duration.ofSeconds(2));
        try {
            budget.spent(10);  // claims keep the budget below the reserve of 4 throughout
            CompletableFuture<Void> first = budget.takeoverTurn();
            nanos.addAndGet(1_750_000_000L);
            CompletableFuture<Void> second = budget.takeoverTurn();
            assertThat(first).as("1.75 s: not waited its longest yet").isNotDone();

            nanos.addAndGet(500_000_000L);  // 2.25 s
            CompletableFuture<Void> third = budget.takeoverTurn();
            assertThat(first).as("aged: a token below the reserve").isDone();
            assertThat(budget.takeoversWaiting()).isEqualTo(2);
            budget.spent(10);

            nanos.addAndGet(1_750_000_000L);  // 4 s: the second has waited 2.25 s, but 1.75 s since the first went
            budget.takeoverTurn();
            assertThat(second).as("one at a time").isNotDone();

            nanos.addAndGet(500_000_000L);
            budget.takeoverTurn();
            assertThat(second).isDone();
            assertThat(third).isNotDone();
            budget.spent(10);

            nanos.addAndGet(1_750_000_000L);
            budget.takeoverTurn();
            assertThat(third).isNotDone();
            nanos.addAndGet(500_000_000L);
            budget.takeoverTurn();
            assertThat(third).isDone();
            assertThat(budget.takeoversWaiting()).as("the four the test woke the queue with").isEqualTo(4);
        } finally {
            budget.close();
        }
    }

    @Test
    void theQueueWakesItselfUpWhenItsFirstReadHasWaitedItsLongest() throws Exception {
        TaskReadBudget budget = new TaskReadBudget(new TokenBucket(100, 1, nanos::get), 90, Duration.ofMillis(100));
        try {
            budget.spent(98);  // two tokens: 89 s of refill from the reserve
            CompletableFuture<Void> turn = budget.takeoverTurn();
            nanos.addAndGet(100_000_000L);

            turn.get(10, TimeUnit.SECONDS);  // nobody else wakes the queue up
        } finally {
            budget.close();
        }
    }

    @Test
    void aTakeoverReadGoesAfterItsMaxWaitWhileClaimsKeepTheBudgetBelowTheReserve() throws Exception {
        TaskReadBudget budget = new TaskReadBudget(new TokenBucket(50, 200), 40, Duration.ofMillis(200));
        AtomicBoolean claiming = new AtomicBoolean(true);
        Thread claims = new Thread(() -> {
            while (claiming.get()) {
                budget.spent(50);  // every whole token, 200 a second: far below the reserve of 40
                LockSupport.parkNanos(2_000_000L);
            }
        });
        try {
            budget.spent(50);
            claims.start();
            long start = System.nanoTime();
            CompletableFuture<Long> went = budget.takeoverTurn().thenApply(turn -> System.nanoTime());

            assertThat(went.get(10, TimeUnit.SECONDS) - start).as("only once it waited its longest")
                    .isGreaterThanOrEqualTo(Duration.ofMillis(200).toNanos());
        } finally {
            claiming.set(false);
            claims.join();
            budget.close();
        }
    }

    @Test
    void aReserveThatLeavesTheTakeoverNothingIsRefused() {
        assertThatThrownBy(() -> new TaskReadBudget(new TokenBucket(10, 1), 10, Duration.ofSeconds(10))).isInstanceOf(IllegalArgumentException.class);
    }
}
