package io.coscale.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

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

    @Test
    void aNegativeReserveOrDemandIsRefused() {
        assertThatThrownBy(() -> TokenReserve.grant(10, -1, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> TokenReserve.grant(10, 0, -1)).isInstanceOf(IllegalArgumentException.class);
    }
}
