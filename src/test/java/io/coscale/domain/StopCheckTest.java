package io.coscale.domain;

import static org.assertj.core.api.Assertions.assertThat;

import io.coscale.domain.StopCheck.Signal;
import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class StopCheckTest {

    private static final Duration BACKSTOP = Duration.ofMinutes(1);
    private static final Duration SOON = Duration.ofSeconds(10);

    static Stream<Arguments> rows() {
        Signal steady = new Signal(3, 3, 0, 3);
        return Stream.of(
                Arguments.of("converged: same counts, every known task accounted for, asked recently",
                        steady, steady, 0, SOON, false),
                Arguments.of("nothing known and no exit to see: nothing to lose, even at the backstop",
                        new Signal(0, 0, 0, 0), new Signal(2, 1, 1, 0), 0, BACKSTOP, false),
                Arguments.of("never asked: ask", null, steady, 0, Duration.ZERO, true),
                Arguments.of("a known task left the running set (its replacement not yet placed)",
                        steady, new Signal(3, 2, 0, 3), 0, SOON, true),
                Arguments.of("the replacement claimed: more known than running, counts as before",
                        steady, new Signal(3, 3, 0, 4), 0, SOON, true),
                Arguments.of("the counts moved (a scale-up): ask",
                        steady, new Signal(4, 3, 1, 3), 0, SOON, true),
                Arguments.of("a stop and its replacement between two passes, not yet claimed: left to the backstop",
                        steady, steady, 0, BACKSTOP.minusSeconds(1), false),
                Arguments.of("the backstop passed: ask",
                        steady, steady, 0, BACKSTOP, true),
                Arguments.of("an exit coscale let happen waits to be seen stopped: ask",
                        new Signal(2, 2, 0, 2), new Signal(2, 2, 0, 2), 1, SOON, true),
                Arguments.of("an exit to see, with no live task known: ask",
                        new Signal(1, 1, 0, 0), new Signal(1, 1, 0, 0), 1, SOON, true),
                Arguments.of("fewer known than running (warm tasks in cooperative mode): not by itself",
                        new Signal(5, 5, 0, 2), new Signal(5, 5, 0, 2), 0, SOON, false));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rows")
    void asksOnlyWhenTheServiceReadHintsAtAStopOrTheBackstopPassed(String label, Signal last, Signal now, int exits,
            Duration since, boolean due) {
        assertThat(StopCheck.due(last, now, exits, since, BACKSTOP)).as(label).isEqualTo(due);
    }
}
