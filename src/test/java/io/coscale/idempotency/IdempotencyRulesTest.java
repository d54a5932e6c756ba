package io.coscale.idempotency;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.coscale.idempotency.IdempotencyRecord.State;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The verdict on a repeat, from the stored record alone; and what a valid key is. */
class IdempotencyRulesTest {

    static final IdempotencyKey KEY = new IdempotencyKey("demo", "k-1");
    static final Instant T0 = Instant.parse("2026-12-02T08:00:00Z");
    static final Duration CLAIM = Duration.ofSeconds(30);
    static final Duration TTL = Duration.ofHours(24);
    static final IdempotencyRecord RESERVED = IdempotencyRecord.reserve(KEY, "fp", List.of("job-1"), T0, CLAIM, TTL);

    static Stream<Arguments> verdicts() {
        IdempotencyRecord done = RESERVED.done(202, "{\"jobId\":\"job-1\"}", T0.plusSeconds(1), TTL);
        IdempotencyRecord retryable = RESERVED.retryable(T0.plusSeconds(1));
        return Stream.of(
                Arguments.of("nothing stored", Optional.empty(), "fp", T0, IdempotencyRules.Reserve.class),
                Arguments.of("in progress, claim alive", Optional.of(RESERVED), "fp", T0.plusSeconds(29), IdempotencyRules.InProgress.class),
                Arguments.of("in progress, claim ran out", Optional.of(RESERVED), "fp", T0.plusSeconds(30), IdempotencyRules.TakeOver.class),
                Arguments.of("in progress, other body", Optional.of(RESERVED), "other", T0.plusSeconds(1), IdempotencyRules.Reused.class),
                Arguments.of("done, same body", Optional.of(done), "fp", T0.plusSeconds(2), IdempotencyRules.Replay.class),
                Arguments.of("done, other body", Optional.of(done), "other", T0.plusSeconds(2), IdempotencyRules.Reused.class),
                Arguments.of("done, a second before expiry", Optional.of(done), "fp", T0.plus(TTL), IdempotencyRules.Replay.class),
                Arguments.of("done, expired", Optional.of(done), "fp", T0.plusSeconds(1).plus(TTL), IdempotencyRules.Reserve.class),
                Arguments.of("done, expired, other body", Optional.of(done), "other", T0.plus(TTL).plusSeconds(5), IdempotencyRules.Reserve.class),
                Arguments.of("outcome unknown (502)", Optional.of(retryable), "fp", T0.plusSeconds(2), IdempotencyRules.TakeOver.class),
                Arguments.of("outcome unknown, other body", Optional.of(retryable), "other", T0.plusSeconds(2), IdempotencyRules.Reused.class));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("verdicts")
    void theVerdictOnARepeat(String row, Optional<IdempotencyRecord> found, String fingerprint, Instant now,
            Class<? extends IdempotencyRules.Verdict> verdict) {
        assertThat(IdempotencyRules.decide(found, fingerprint, now, CLAIM)).isInstanceOf(verdict);
    }

    @Test
    void aTakeOverKeepsTheJobIdsAndTheExpiryAndHoldsAFreshClaimAtTheNextVersion() {
        Instant now = T0.plusSeconds(31);
        var verdict = (IdempotencyRules.TakeOver) IdempotencyRules.decide(Optional.of(RESERVED), "fp", now, CLAIM);
        assertThat(verdict.current()).isEqualTo(RESERVED);
        assertThat(verdict.next().state()).isEqualTo(State.IN_PROGRESS);
        assertThat(verdict.next().jobIds()).containsExactly("job-1");
        assertThat(verdict.next().version()).isEqualTo(RESERVED.version() + 1);
        assertThat(verdict.next().claimUntil()).isEqualTo(now.plus(CLAIM));
        assertThat(verdict.next().expiresAt()).isEqualTo(RESERVED.expiresAt());
    }

    @Test
    void aReplayAnswersTheStoredBodyAndARepeatUnderWayWaitsASecond() {
        IdempotencyRecord done = RESERVED.done(202, "{\"jobId\":\"job-1\"}", T0.plusSeconds(1), TTL);
        assertThat(((IdempotencyRules.Replay) IdempotencyRules.decide(Optional.of(done), "fp", T0.plusSeconds(5), CLAIM))
                .done().body()).isEqualTo("{\"jobId\":\"job-1\"}");
        assertThat(((IdempotencyRules.InProgress) IdempotencyRules.decide(Optional.of(RESERVED), "fp", T0, CLAIM))
                .retryAfter()).isEqualTo(Duration.ofSeconds(1));
    }

    @Test
    void theAnswerIsKeptForTheTtlFromItsAcceptance() {
        IdempotencyRecord done = RESERVED.done(202, "{}", T0.plusSeconds(10), TTL);
        assertThat(done.expiresAt()).isEqualTo(T0.plusSeconds(10).plus(TTL));
        assertThat(done.version()).isEqualTo(2);
        assertThat(done.status()).isEqualTo(202);
    }

    @Test
    void onlyADoneRecordHasABody() {
        assertThatThrownBy(() -> new IdempotencyRecord(KEY, "fp", State.IN_PROGRESS, List.of(), 0, "{}", 1, T0, T0))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new IdempotencyRecord(KEY, "fp", State.DONE, List.of(), 202, null, 1, T0, T0))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {"a", "8e03978e-40d5-43e8-bc93-6894a57f9324", "!~#$%&'()*+,-./:;<=>?@[]^_`{|}", "\"quoted-key\""})
    void aKeyIsOneTo255VisibleAsciiCharacters(String value) {
        assertThat(IdempotencyKey.parse("demo", value)).isPresent();
    }

    @Test
    void aQuotedKeyIsTheSameKeyAsTheBareOne() {
        assertThat(IdempotencyKey.parse("demo", "\"abc\"")).contains(new IdempotencyKey("demo", "abc"));
        assertThat(IdempotencyKey.parse("demo", "x".repeat(255))).isPresent();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " ", "\"\"", "two words", "tab\there", "caf\u00e9", "\"a\"b\"", "\"a\\\\b\"", "\u0001"})
    void anythingElseIsNoKey(String value) {
        assertThat(IdempotencyKey.parse("demo", value)).isEmpty();
        assertThat(IdempotencyKey.parse("demo", "x".repeat(256))).isEmpty();
    }

    @Test
    void theKeyIsScopedByItsPoolInTheSharedTable() {
        assertThat(new IdempotencyKey("demo", "k").storageName()).isEqualTo("idem#demo#k");
        assertThat(new IdempotencyKey("demo", "k")).isNotEqualTo(new IdempotencyKey("other", "k"));
    }
}
