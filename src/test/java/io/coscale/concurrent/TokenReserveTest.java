package io.coscale.concurrent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class TokenReserveTest {

    static Stream<Arguments> grants() {
        return Stream.of(
                Arguments.of("a full bucket: what lies above the reserve", 50.0, 25, 1_000, 25),
                Arguments.of("fewer waiting than spare tokens: all of them", 50.0, 25, 3, 3),
                Arguments.of("at the reserve: nothing, the rest is the claims'", 25.0, 25, 10, 0),
                Arguments.of("below the reserve (claims spent it): nothing", 7.5, 25, 10, 0),
                Arguments.of("a fraction above the reserve is no whole token", 25.9, 25, 10, 0),
                Arguments.of("one whole token above it: one", 26.0, 25, 10, 1),
                Arguments.of("nobody waiting: nothing", 50.0, 25, 0, 0),
                Arguments.of("no reserve: an ordinary bucket, one call per whole token", 2.7, 0, 10, 2),
                Arguments.of("no reserve, less than a token: nothing", 0.99, 0, 10, 0));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("grants")
    void grantsOnlyWhatLiesAboveTheReserve(String row, double tokens, int reserve, int wanted, int granted) {
        assertThat(TokenReserve.grant(tokens, reserve, wanted)).isEqualTo(granted);
    }

    static Stream<Arguments> agedGrants() {
        return Stream.of(
                Arguments.of("below the reserve, not waited maxWait yet: nothing", 7.5, 25, 10, 9_999L, 0),
                Arguments.of("below the reserve, waited maxWait: one, however many wait", 7.5, 25, 10, 10_000L, 1),
                Arguments.of("waited longer: still one", 7.5, 25, 10, 60_000L, 1),
                Arguments.of("down to the last whole token", 1.0, 25, 10, 10_000L, 1),
                Arguments.of("never a token the bucket does not have", 0.99, 25, 10, 10_000L, 0),
                Arguments.of("nobody waiting: nothing", 7.5, 25, 0, 10_000L, 0),
                Arguments.of("above the reserve: all that lies above it, aged or not", 28.0, 25, 10, 10_000L, 3),
                Arguments.of("no reserve: an ordinary bucket, aged or not", 2.7, 0, 10, 10_000L, 2));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("agedGrants")
    void aWaiterThatWaitedMaxWaitTakesOneTokenBelowTheReserve(String row, double tokens, int reserve, int wanted,
            long headWait, int granted) {
        assertThat(TokenReserve.grant(tokens, reserve, wanted, headWait, 10_000L)).isEqualTo(granted);
    }

    static Stream<Arguments> waits() {
        return Stream.of(
                Arguments.of("one may go now", 26.0, 25, 15.0, 0L),
                Arguments.of("at the reserve: one token's refill", 25.0, 25, 20.0, 50_000_000L),
                Arguments.of("claims took it below the reserve: the refill back above it", 20.0, 25, 15.0, 400_000_000L),
                Arguments.of("no reserve, half a token: half a token's refill", 0.5, 0, 5.0, 100_000_000L));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("waits")
    void waitsUntilAWholeTokenLiesAboveTheReserve(String row, double tokens, int reserve, double rate, long nanos) {
        assertThat(TokenReserve.nanosUntilNext(tokens, reserve, rate)).isEqualTo(nanos);
    }

    static Stream<Arguments> agedWaits() {
        return Stream.of(
                Arguments.of("below the reserve: until the first waiter has waited maxWait", 20.0, 25, 15.0, 3_000L, 7_000L),
                Arguments.of("sooner above the reserve: that", 25.5, 25, 1e6, 3_000L, 500L),
                Arguments.of("aged, with a whole token: now", 20.0, 25, 15.0, 10_000L, 0L),
                Arguments.of("aged, the bucket empty: until a whole token is in it", 0.5, 25, 5.0, 12_000L,
                        100_000_000L),
                Arguments.of("no reserve: an ordinary bucket", 0.5, 0, 5.0, 0L, 100_000_000L));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("agedWaits")
    void waitsUntilAboveTheReserveOrAged(String row, double tokens, int reserve, double rate, long headWait, long nanos) {
        assertThat(TokenReserve.nanosUntilNext(tokens, reserve, rate, headWait, 10_000L)).isEqualTo(nanos);
    }

    @Test
    void aNegativeWaitOrANonPositiveMaxWaitIsRefused() {
        assertThatThrownBy(() -> TokenReserve.grant(10, 1, 1, -1, 10)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> TokenReserve.grant(10, 1, 1, 0, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> TokenReserve.nanosUntilNext(10, 1, 1, 0, 0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aNegativeReserveOrDemandIsRefused() {
        assertThatThrownBy(() -> TokenReserve.grant(10, -1, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> TokenReserve.grant(10, 0, -1)).isInstanceOf(IllegalArgumentException.class);
    }
}
