package io.coscale.lease;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.coscale.lease.LeaseRules.Kind;
import io.coscale.lease.LeaseRules.Write;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The lease rules with duration 10 s and margin 1 s; times are seconds on each replica's own clock. */
class LeaseRulesTest {

    static final Duration DURATION = Duration.ofSeconds(10);
    static final Duration MARGIN = Duration.ofSeconds(1);
    static final LeaseRules A = new LeaseRules("coscale", "a", "http://a:8080", DURATION, MARGIN);
    static final LeaseRules B = new LeaseRules("coscale", "b", "http://b:8080", DURATION, MARGIN);
    static final LeaseItem HELD_BY_B = new LeaseItem("coscale", "b", "http://b:8080", 3, 5);

    static long at(double seconds) {
        return Math.round(seconds * 1e9);
    }

    /** A's state after it read {@code stored} at {@code readAt}. */
    static LeaseState afterRead(Optional<LeaseItem> stored, double readAt) {
        return A.read(LeaseState.initial(), stored, at(readAt));
    }

    /** A's state after it wrote {@code write}, which started at {@code startedAt}. */
    static LeaseState holding(double startedAt) {
        return holdingSince(at(startedAt));
    }

    static LeaseState holdingSince(long startedAt) {
        LeaseState read = A.read(LeaseState.initial(), Optional.empty(), startedAt);
        return A.written(read, A.next(read, startedAt).orElseThrow(), startedAt);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', nullValues = "-", textBlock = """
            # row                                   | read at | ask at  | kind     | epoch | version | expects
            no item: the first acquire              | 100     | 100     | ACQUIRE  | 1     | 1       | 0
            just seen: nothing                      | 100     | 100     | -        | -     | -       | -
            a moment before duration + margin       | 100     | 110.999 | -        | -     | -       | -
            at duration + margin: takeover, epoch+1 | 100     | 111     | TAKEOVER | 4     | 6       | 5
            long after: still one takeover          | 100     | 5000    | TAKEOVER | 4     | 6       | 5
            """)
    void aFollowerWritesOnlyWhenTheLeaseRanOutByItsOwnClock(String row, double readAt, double askAt, Kind kind,
            Long epoch, Long version, Long expects) {
        Optional<LeaseItem> stored = kind == Kind.ACQUIRE ? Optional.empty() : Optional.of(HELD_BY_B);
        Optional<Write> write = A.next(afterRead(stored, readAt), at(askAt));
        if (kind == null) {
            assertThat(write).as(row).isEmpty();
            return;
        }
        assertThat(write).as(row).contains(new Write(kind,
                new LeaseItem("coscale", "a", "http://a:8080", epoch, version), expects));
    }

    @Test
    void theExpiryCountsFromTheLastChangeSeenNotTheFirstRead() {
        LeaseState first = afterRead(Optional.of(HELD_BY_B), 100);
        LeaseState same = A.read(first, Optional.of(HELD_BY_B), at(105));
        assertThat(A.next(same, at(111))).map(Write::kind).contains(Kind.TAKEOVER);

        LeaseItem renewed = new LeaseItem("coscale", "b", "http://b:8080", 3, 6);
        LeaseState changed = A.read(first, Optional.of(renewed), at(105));
        assertThat(A.next(changed, at(115.999))).isEmpty();
        assertThat(A.next(changed, at(116))).contains(new Write(Kind.TAKEOVER,
                new LeaseItem("coscale", "a", "http://a:8080", 4, 7), 6));
        assertThat(A.leader(changed, at(115.999))).contains(renewed);
        assertThat(A.leader(changed, at(116))).isEmpty();
    }

    @ParameterizedTest(name = "write started at 100, at {0}: leads {1}, may write {2}")
    @CsvSource({
            "100,     true,  true",
            "108,     true,  true",
            "108.001, true,  false",
            "108.999, true,  false",
            "109,     false, false",
            "500,     false, false",
    })
    void theHolderLeadsUntilItsWriteStartPlusDurationLessMargin(double now, boolean leads, boolean mayWrite) {
        LeaseState state = holding(100);
        assertThat(A.leads(state, at(now))).isEqualTo(leads);
        assertThat(A.mayWrite(state, at(now))).isEqualTo(mayWrite);
        assertThat(A.leader(state, at(now)).map(LeaseItem::holder)).isEqualTo(leads ? Optional.of("a") : Optional.empty());
    }

    @Test
    void theFirstAcquireLeadsAtOnceWithEpochOne() {
        LeaseState state = holding(100);
        assertThat(state.epoch()).isEqualTo(1);
        assertThat(A.leads(state, at(100))).isTrue();
        assertThat(A.shouldRead(state)).isFalse();
    }

    @Test
    void aRenewalKeepsTheEpochBumpsTheVersionAndCountsFromItsOwnStart() {
        LeaseState state = holding(100);
        Write renew = A.next(state, at(102)).orElseThrow();
        assertThat(renew).isEqualTo(new Write(Kind.RENEW, new LeaseItem("coscale", "a", "http://a:8080", 1, 2), 1));
        LeaseState renewed = A.written(state, renew, at(102));
        assertThat(A.leads(renewed, at(110.999))).isTrue();
        assertThat(A.leads(renewed, at(111))).isFalse();
    }

    @Test
    void aHolderThatHearsNothingStepsDownByItself() {
        LeaseState state = holding(100);
        Write renew = A.next(state, at(102)).orElseThrow();
        LeaseState unanswered = A.unknown(state, renew, at(102));
        assertThat(A.leads(unanswered, at(108.999))).isTrue();
        assertThat(A.leads(unanswered, at(109))).isFalse();
        assertThat(A.shouldRead(unanswered)).isTrue();
    }

    @Test
    void aRefusedWriteMeansFollowerAndReadAgain() {
        LeaseState state = holding(100);
        Write renew = A.next(state, at(102)).orElseThrow();
        LeaseState refused = A.refused(state, renew, at(102));
        assertThat(A.leads(refused, at(102))).isFalse();
        assertThat(A.next(refused, at(102))).as("no write before a read").isEmpty();
        assertThat(A.shouldRead(refused)).isTrue();

        LeaseItem taken = new LeaseItem("coscale", "b", "http://b:8080", 2, 2);
        LeaseState follower = A.read(refused, Optional.of(taken), at(102.1));
        assertThat(A.leads(follower, at(102.1))).isFalse();
        assertThat(A.leader(follower, at(102.1))).contains(taken);
        assertThat(A.next(follower, at(112.099))).isEmpty();
    }

    @Test
    void aWriteWhoseAnswerWasLostCountsFromItsFirstTryOnceARereadShowsIt() {
        LeaseState state = holding(100);
        Write renew = A.next(state, at(102)).orElseThrow();
        LeaseState unknown = A.unknown(state, renew, at(102));
        // The read still shows the old version: the renewal is tried again, and lands (or its first try did).
        LeaseState stillOld = A.read(unknown, state.item(), at(104));
        Write again = A.next(stillOld, at(104)).orElseThrow();
        assertThat(again).isEqualTo(renew);
        LeaseState refused = A.refused(stillOld, again, at(104));
        LeaseState credited = A.read(refused, Optional.of(renew.item()), at(104.2));
        assertThat(A.leads(credited, at(110.999))).as("counted from the first try at 102, not 104").isTrue();
        assertThat(A.leads(credited, at(111))).isFalse();
        assertThat(credited.epoch()).isEqualTo(1);
    }

    @Test
    void aRetryThatSucceedsCountsFromItsOwnStart() {
        LeaseState state = holding(100);
        Write renew = A.next(state, at(102)).orElseThrow();
        LeaseState unknown = A.unknown(state, renew, at(102));
        LeaseState stillOld = A.read(unknown, state.item(), at(108.5));
        assertThat(A.leads(stillOld, at(109))).isFalse();
        LeaseState renewed = A.written(stillOld, A.next(stillOld, at(108.5)).orElseThrow(), at(108.5));
        assertThat(A.leads(renewed, at(117.499))).isTrue();
        assertThat(renewed.attempt()).isEmpty();
    }

    @Test
    void itsOwnIdOnAnItemItCannotVouchForIsWaitedOutLikeAnyOther() {
        LeaseItem previousRun = new LeaseItem("coscale", "a", "http://a:8080", 7, 40);
        LeaseState state = afterRead(Optional.of(previousRun), 100);
        assertThat(A.leads(state, at(100))).isFalse();
        assertThat(A.next(state, at(110.999))).isEmpty();
        assertThat(A.next(state, at(111))).map(w -> w.item().epoch()).contains(8L);
    }

    /**
     * A writes at real time 0 (its write lands at 0.3 s); B reads it at 0.5 s and keeps reading every millisecond.
     * Whatever the two clocks read — far apart, or B behind A — A has stopped leading before B's takeover becomes
     * possible, by the same real-time gap.
     */
    @ParameterizedTest(name = "A's clock {0} ms, B's clock {1} ms off real time")
    @CsvSource({
            "0,          0",
            "1000000,    0",
            "0,          1000000",
            "-3600000,   86400000",
            "123456,    -99999999",
    })
    void theOldHolderStepsDownBeforeAFollowerCanTakeOverWhateverTheClocksRead(long skewA, long skewB) {
        LeaseState a = holdingSince(ms(skewA));
        LeaseItem written = a.item().orElseThrow();
        LeaseState b = LeaseState.initial();
        long lastLed = -1;
        long firstTakeover = -1;
        for (long real = 500; real <= 20_000; real++) {
            b = B.read(b, Optional.of(written), ms(real + skewB));
            if (A.leads(a, ms(real + skewA))) {
                lastLed = real;
            }
            if (firstTakeover < 0 && B.next(b, ms(real + skewB)).isPresent()) {
                firstTakeover = real;
            }
        }
        assertThat(lastLed).isEqualTo(8_999);
        assertThat(firstTakeover).isEqualTo(11_500);
    }

    @Test
    void aResigningHolderStopsLeadingAtOnceAndReleasesOnlyAMarginLater() {
        LeaseState held = holding(100);
        LeaseItem item = held.item().orElseThrow();
        assertThat(A.release(held, at(101))).as("a holder that still leads may not release").isEmpty();

        LeaseState resigned = A.resign(held, at(101));
        assertThat(A.leads(resigned, at(101))).isFalse();
        assertThat(A.mayWrite(resigned, at(101))).isFalse();
        assertThat(A.leader(resigned, at(101))).isEmpty();
        assertThat(A.release(resigned, at(101.999))).as("a write checked just before may still go out").isEmpty();

        Write release = A.release(resigned, at(102)).orElseThrow();
        assertThat(release).isEqualTo(new Write(Kind.RELEASE,
                new LeaseItem("coscale", "a", "http://a:8080", item.epoch(), item.version() + 1, true), item.version()));
        LeaseState released = A.written(resigned, release, at(102));
        assertThat(released.holding()).isFalse();
        assertThat(A.leads(released, at(102))).isFalse();
        assertThat(A.release(released, at(103))).isEmpty();
        assertThat(A.next(released, at(102))).as("the releaser itself may take it again, with a new epoch")
                .map(Write::kind).contains(Kind.TAKEOVER);
    }

    @Test
    void resigningTwiceOrWithoutTheLeaseChangesNothing() {
        LeaseState resigned = A.resign(holding(100), at(101));
        assertThat(A.resign(resigned, at(101.5))).isEqualTo(resigned);
        LeaseState follower = afterRead(Optional.of(HELD_BY_B), 100);
        assertThat(A.resign(follower, at(101))).isEqualTo(follower);
        assertThat(A.release(follower, at(200))).isEmpty();
    }

    @Test
    void aFollowerTakesAReleasedLeaseOverAtOnceWithTheNextEpoch() {
        LeaseItem released = new LeaseItem("coscale", "b", "http://b:8080", 3, 6, true);
        LeaseState a = A.read(afterRead(Optional.of(HELD_BY_B), 100), Optional.of(released), at(104));
        assertThat(A.leader(a, at(104))).as("nobody leads a released lease").isEmpty();
        assertThat(A.next(a, at(104))).contains(new Write(Kind.TAKEOVER,
                new LeaseItem("coscale", "a", "http://a:8080", 4, 7), 6));
    }

    @ParameterizedTest(name = "A's clock {0} ms, B's clock {1} ms off real time")
    @CsvSource({"0, 0", "-3600000, 86400000", "123456, -99999999"})
    void aHandOverNeverLetsTwoLeadWhateverTheClocksRead(long skewA, long skewB) {
        LeaseState a = holdingSince(ms(skewA));
        LeaseState b = B.read(LeaseState.initial(), a.item(), ms(skewB));
        long resignAt = 3_000;
        long lastLed = -1;
        long firstTakeover = -1;
        for (long real = 0; real <= 10_000; real++) {
            if (real == resignAt) {
                a = A.resign(a, ms(real + skewA));
            }
            Optional<Write> release = A.release(a, ms(real + skewA));
            if (release.isPresent()) {
                a = A.written(a, release.get(), ms(real + skewA));
                b = B.read(b, a.item(), ms(real + skewB));
            }
            if (A.leads(a, ms(real + skewA))) {
                lastLed = real;
            }
            if (firstTakeover < 0 && B.next(b, ms(real + skewB)).isPresent()) {
                firstTakeover = real;
            }
        }
        assertThat(lastLed).isEqualTo(resignAt - 1);
        assertThat(firstTakeover).as("a margin after the resignation, not duration + margin").isEqualTo(resignAt + 1_000);
    }

    static long ms(long millis) {
        return millis * 1_000_000;
    }

    @Test
    void aMarginOfHalfTheDurationIsRefused() {
        assertThatThrownBy(() ->
                new LeaseRules("coscale", "a", "x", Duration.ofSeconds(2), Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
