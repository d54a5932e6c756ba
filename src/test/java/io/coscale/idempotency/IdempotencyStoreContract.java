package io.coscale.idempotency;

import static org.assertj.core.api.Assertions.assertThat;

import io.coscale.idempotency.IdempotencyRecord.State;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link IdempotencyStore} must do, run against each of them: conditional writes that let exactly one
 * of many racing requests win, and expired records that count as absent however long the store keeps them.
 */
abstract class IdempotencyStoreContract {

    static final Instant T0 = Instant.parse("2026-12-02T08:00:00Z");
    static final Duration CLAIM = Duration.ofSeconds(30);
    static final Duration TTL = Duration.ofHours(24);
    static final int RACERS = 16;

    IdempotencyKey key;
    ExecutorService threads;

    /** The store under test; records of other tests may be in it, under other keys. */
    abstract IdempotencyStore store();

    @BeforeEach
    void freshKey() {
        key = new IdempotencyKey("demo", "key-" + UUID.randomUUID());
        threads = Executors.newFixedThreadPool(RACERS);
    }

    @AfterEach
    void stopThreads() {
        threads.shutdownNow();
    }

    IdempotencyRecord reservation(String jobId, Instant at) {
        return IdempotencyRecord.reserve(key, "fp", List.of(jobId), at, CLAIM, TTL);
    }

    @Test
    void aReservedKeyIsFoundAsItWasStored() {
        assertThat(store().find(key, T0).join()).isEmpty();
        IdempotencyRecord reserved = IdempotencyRecord.reserve(key, "fp", List.of("a", "b", "c"), T0, CLAIM, TTL);
        assertThat(store().create(reserved, T0).join()).isTrue();
        assertThat(store().find(key, T0.plusSeconds(1)).join()).contains(reserved);
        assertThat(store().find(new IdempotencyKey("other-pool", key.key()), T0).join()).isEmpty();
    }

    @Test
    void ofManyConcurrentReservationsOfOneKeyExactlyOneWins() throws Exception {
        List<Boolean> won = race(i -> store().create(reservation("job-" + i, T0), T0).join());
        assertThat(won).containsOnlyOnce(true);
        int winner = won.indexOf(true);
        assertThat(store().find(key, T0).join()).map(IdempotencyRecord::jobIds).contains(List.of("job-" + winner));
    }

    @Test
    void aLiveRecordIsNeverOverwrittenByANewReservation() {
        assertThat(store().create(reservation("first", T0), T0).join()).isTrue();
        assertThat(store().create(reservation("second", T0.plusSeconds(60)), T0.plusSeconds(60)).join()).isFalse();
        assertThat(store().find(key, T0.plusSeconds(60)).join()).map(IdempotencyRecord::jobIds).contains(List.of("first"));
    }

    @Test
    void aClaimThatRanOutIsTakenOverByExactlyOneOfManyRepeats() throws Exception {
        IdempotencyRecord reserved = reservation("job-1", T0);
        store().create(reserved, T0).join();
        Instant later = T0.plus(CLAIM);
        IdempotencyRules.TakeOver takeOver = (IdempotencyRules.TakeOver) IdempotencyRules.decide(
                store().find(key, later).join(), "fp", later, CLAIM);

        List<Boolean> won = race(i -> store().replace(takeOver.next(), takeOver.current().version()).join());

        assertThat(won).containsOnlyOnce(true);
        IdempotencyRecord held = store().find(key, later).join().orElseThrow();
        assertThat(held.version()).isEqualTo(2);
        assertThat(held.jobIds()).containsExactly("job-1");
        assertThat(held.claimUntil()).isEqualTo(later.plus(CLAIM));
    }

    @Test
    void aStaleHolderCanNeitherFinishNorDeleteARecordTakenOver() {
        IdempotencyRecord reserved = reservation("job-1", T0);
        store().create(reserved, T0).join();
        IdempotencyRecord takenOver = reserved.takenOver(T0.plus(CLAIM), CLAIM);
        assertThat(store().replace(takenOver, reserved.version()).join()).isTrue();

        assertThat(store().replace(reserved.done(202, "{\"stale\":true}", T0.plus(CLAIM), TTL), reserved.version()).join())
                .isFalse();
        assertThat(store().delete(key, reserved.version()).join()).isFalse();
        assertThat(store().find(key, T0.plus(CLAIM)).join()).contains(takenOver);

        IdempotencyRecord done = takenOver.done(202, "{\"jobId\":\"job-1\",\"pool\":\"d\u00e9mo\"}", T0.plus(CLAIM), TTL);
        assertThat(store().replace(done, takenOver.version()).join()).isTrue();
        assertThat(store().find(key, T0.plus(CLAIM)).join()).contains(done);
    }

    @Test
    void aDeletedReservationLetsTheNextRequestReserve() {
        IdempotencyRecord reserved = reservation("job-1", T0);
        store().create(reserved, T0).join();
        assertThat(store().delete(key, reserved.version()).join()).isTrue();
        assertThat(store().find(key, T0).join()).isEmpty();
        assertThat(store().delete(key, reserved.version()).join()).isFalse();
        assertThat(store().create(reservation("job-2", T0), T0).join()).isTrue();
    }

    @Test
    void anExpiredRecordIsIgnoredOnReadAndReservedOver() {
        IdempotencyRecord done = reservation("job-1", T0).done(202, "{}", T0, TTL);
        store().create(done, T0).join();
        Instant expiry = T0.plus(TTL);
        assertThat(store().find(key, expiry.minusMillis(1)).join()).contains(done);
        assertThat(store().find(key, expiry).join()).isEmpty();

        IdempotencyRecord again = reservation("job-2", expiry);
        assertThat(store().create(again, expiry).join()).isTrue();
        assertThat(store().find(key, expiry).join()).contains(again);
    }

    @Test
    void aRetryableRecordKeepsItsJobIds() {
        IdempotencyRecord reserved = IdempotencyRecord.reserve(key, "fp", List.of("a", "b"), T0, CLAIM, TTL);
        store().create(reserved, T0).join();
        IdempotencyRecord retryable = reserved.retryable(T0.plusSeconds(1));
        assertThat(store().replace(retryable, reserved.version()).join()).isTrue();
        Optional<IdempotencyRecord> found = store().find(key, T0.plusSeconds(2)).join();
        assertThat(found).contains(retryable);
        assertThat(found.get().state()).isEqualTo(State.RETRYABLE);
    }

    /** Runs {@code call(i)} on {@value #RACERS} threads released at once; the answers in order of {@code i}. */
    List<Boolean> race(IndexedCall call) throws Exception {
        CountDownLatch start = new CountDownLatch(1);
        List<Future<Boolean>> futures = new ArrayList<>();
        for (int i = 0; i < RACERS; i++) {
            int n = i;
            Callable<Boolean> racer = () -> {
                start.await();
                return call.run(n);
            };
            futures.add(threads.submit(racer));
        }
        start.countDown();
        List<Boolean> answers = new ArrayList<>();
        for (Future<Boolean> f : futures) {
            answers.add(f.get());
        }
        return answers;
    }

    interface IndexedCall {
        boolean run(int i) throws Exception;
    }
}
