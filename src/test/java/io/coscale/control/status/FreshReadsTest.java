package io.coscale.control.status;

import io.coscale.TestClock;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class FreshReadsTest {

    private static final Duration MAX_AGE = Duration.ofSeconds(2);

    /** Answers each key with its read number; records what each call asked for. */
    private static final class CountingLoader implements Function<List<String>, Map<String, Integer>> {
        final List<List<String>> calls = new ArrayList<>();
        final AtomicInteger reads = new AtomicInteger();

        @Override
        public synchronized Map<String, Integer> apply(List<String> keys) {
            calls.add(keys);
            int n = reads.incrementAndGet();
            return keys.stream().collect(Collectors.toMap(k -> k, k -> n));
        }
    }

    private final TestClock clock = TestClock.at("2026-01-01T00:00:00Z");

    @Test
    void aReadingYoungerThanTheMaxAgeIsServedWithoutAnotherRead() {
        CountingLoader loader = new CountingLoader();
        FreshReads<String, Integer> reads = new FreshReads<>(loader, clock, Duration.ofSeconds(1));

        Observed<Integer> first = reads.get(List.of("a"), MAX_AGE).get("a");
        clock.advance(MAX_AGE);
        Observed<Integer> second = reads.get(List.of("a"), MAX_AGE).get("a");

        assertThat(loader.calls).hasSize(1);
        assertThat(second).isEqualTo(first);
        assertThat(first.at()).isEqualTo(Instant.parse("2026-01-01T00:00:00Z"));
    }

    @Test
    void aReadingPastTheMaxAgeIsReadAgainAndCarriesTheNewTime() {
        CountingLoader loader = new CountingLoader();
        FreshReads<String, Integer> reads = new FreshReads<>(loader, clock, Duration.ofSeconds(1));
        reads.get(List.of("a"), MAX_AGE);

        clock.advance(MAX_AGE.plusMillis(1));
        Observed<Integer> again = reads.get(List.of("a"), MAX_AGE).get("a");

        assertThat(again.value()).isEqualTo(2);
        assertThat(again.at()).isEqualTo(clock.instant());
    }

    @Test
    void theStaleKeysOfOneCallAreReadInOneBatchAndFreshOnesAreNotAskedAgain() {
        CountingLoader loader = new CountingLoader();
        FreshReads<String, Integer> reads = new FreshReads<>(loader, clock, Duration.ofSeconds(1));
        reads.get(List.of("a"), MAX_AGE);
        clock.advance(Duration.ofSeconds(1));

        reads.get(List.of("a", "b", "c"), MAX_AGE);

        assertThat(loader.calls).containsExactly(List.of("a"), List.of("b", "c"));
    }

    @Test
    void concurrentReadersOfAStaleKeyShareOneRead() throws Exception {
        CountDownLatch inRead = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger loads = new AtomicInteger();
        FreshReads<String, Integer> reads = new FreshReads<>(keys -> {
            loads.incrementAndGet();
            inRead.countDown();
            await(release);
            return Map.of("a", 42);
        }, clock, Duration.ofSeconds(10));
        ExecutorService readers = Executors.newFixedThreadPool(8);
        try {
            List<Future<Map<String, Observed<Integer>>>> answers = new ArrayList<>();
            answers.add(readers.submit(() -> reads.get(List.of("a"), MAX_AGE)));
            assertThat(inRead.await(5, TimeUnit.SECONDS)).isTrue();
            for (int i = 0; i < 7; i++) {
                answers.add(readers.submit(() -> reads.get(List.of("a"), MAX_AGE)));
            }
            release.countDown();

            for (Future<Map<String, Observed<Integer>>> answer : answers) {
                assertThat(answer.get(5, TimeUnit.SECONDS).get("a").value()).isEqualTo(42);
            }
            assertThat(loads).hasValue(1);
        } finally {
            release.countDown();
            readers.shutdownNow();
        }
    }

    @Test
    void aFailedReadLeavesTheLastGoodReadingWithItsOwnTimeAndIsTriedAgainAfterTheMaxAge() {
        AtomicInteger calls = new AtomicInteger();
        FreshReads<String, Integer> reads = new FreshReads<>(keys -> {
            if (calls.incrementAndGet() == 2) {
                throw new IllegalStateException("SQS is down");
            }
            return Map.of("a", calls.get());
        }, clock, Duration.ofSeconds(1));
        Instant firstRead = clock.instant();
        reads.get(List.of("a"), MAX_AGE);
        clock.advance(Duration.ofSeconds(3));

        Observed<Integer> shown = reads.get(List.of("a"), MAX_AGE).get("a");
        Observed<Integer> soonAfter = reads.get(List.of("a"), MAX_AGE).get("a");
        clock.advance(MAX_AGE.plusMillis(1));
        Observed<Integer> later = reads.get(List.of("a"), MAX_AGE).get("a");

        assertThat(shown).isEqualTo(new Observed<>(1, firstRead));
        assertThat(soonAfter).isEqualTo(shown);
        assertThat(later).isEqualTo(new Observed<>(3, clock.instant()));
        assertThat(calls).hasValue(3);
    }

    @Test
    void aKeyThatKeepsFailingCostsOneReadPerMaxAgeHoweverOftenItIsAskedFor() {
        AtomicInteger calls = new AtomicInteger();
        FreshReads<String, Integer> reads = new FreshReads<>(keys -> {
            calls.incrementAndGet();
            throw new IllegalStateException("QueueDoesNotExist");
        }, clock, Duration.ofSeconds(1));

        for (int i = 0; i < 100; i++) {
            assertThat(reads.get(List.of("gone"), MAX_AGE)).isEmpty();
            clock.advance(Duration.ofMillis(100));
        }

        // 10 s of asking every 100 ms: one read at 0 s, then one every 2.1 s (the first ask past 2 s after the last).
        assertThat(calls).hasValue(5);
    }

    @Test
    void aKeyTheLoaderLeftOutAndNeverReadIsAbsent() {
        FreshReads<String, Integer> reads = new FreshReads<>(keys -> Map.of("a", 1), clock, Duration.ofSeconds(1));

        Map<String, Observed<Integer>> got = reads.get(List.of("a", "gone"), MAX_AGE);

        assertThat(got).containsOnlyKeys("a");
        assertThat(reads.latest("gone")).isEmpty();
    }

    @Test
    void aReaderWaitsForAnotherReadersReadNoLongerThanItsWaitThenShowsTheLastGoodReading() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger calls = new AtomicInteger();
        FreshReads<String, Integer> reads = new FreshReads<>(keys -> {
            if (calls.incrementAndGet() > 1) {
                await(release);
            }
            return Map.of("a", calls.get());
        }, clock, Duration.ofMillis(100));
        reads.get(List.of("a"), MAX_AGE);
        clock.advance(Duration.ofSeconds(3));
        ExecutorService slowReader = Executors.newSingleThreadExecutor();
        try {
            slowReader.submit(() -> reads.get(List.of("a"), MAX_AGE));
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> calls.get() == 2);

            Observed<Integer> shown = reads.get(List.of("a"), MAX_AGE).get("a");

            assertThat(shown.value()).isEqualTo(1);
            assertThat(calls).hasValue(2);
        } finally {
            release.countDown();
            slowReader.shutdownNow();
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void retainForgetsTheReadingsOfKeysNoLongerLiveAndKeepsTheOthers() {
        CountingLoader loader = new CountingLoader();
        FreshReads<String, Integer> reads = new FreshReads<>(loader, clock, Duration.ofSeconds(1));
        reads.get(List.of("retired", "live"), MAX_AGE);

        reads.retain(List.of("live"));

        assertThat(reads.latest("retired")).isEmpty();
        assertThat(reads.latest("live")).map(Observed::value).contains(1);
        // A retired key asked for again (it came back) is read afresh at once: its failed-attempt pause went with it.
        assertThat(reads.get(List.of("retired"), MAX_AGE).get("retired").value()).isEqualTo(2);
    }

    @Test
    void aReadInFlightForAKeyForgottenMeanwhileAnswersItsWaiterAndKeepsNothing() throws Exception {
        CountDownLatch inRead = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        FreshReads<String, Integer> reads = new FreshReads<>(keys -> {
            inRead.countDown();
            try {
                release.await(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return Map.of("gone", 7);
        }, clock, Duration.ofSeconds(5));
        ExecutorService reader = Executors.newSingleThreadExecutor();
        try {
            Future<Map<String, Observed<Integer>>> read = reader.submit(() -> reads.get(List.of("gone"), MAX_AGE));
            assertThat(inRead.await(5, TimeUnit.SECONDS)).isTrue();
            reads.retain(List.of());
            release.countDown();

            assertThat(read.get(5, TimeUnit.SECONDS).get("gone").value()).isEqualTo(7);
            assertThat(reads.latest("gone")).isEmpty();
        } finally {
            reader.shutdownNow();
        }
    }
}
