package io.coscale.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code WORKER_CLAIM_DELAY_MILLIS}: "min-max" or one number of milliseconds. */
class ClaimDelayTest {

    @ParameterizedTest(name = "''{0}'' waits {1}..{2} ms")
    @CsvSource(delimiter = '|', value = {
            "200-1500  | 200 | 1500",
            "' 300 '   | 300 | 300",
            "0         | 0   | 0",
            "''        | 0   | 0",
            "5 - 7     | 5   | 7"})
    void parses(String text, long min, long max) {
        ClaimDelay delay = ClaimDelay.parse(text);
        assertThat(delay).isEqualTo(new ClaimDelay(min, max));
        assertThat(delay.pickMillis()).isBetween(min, max);
    }

    @ParameterizedTest
    @ValueSource(strings = {"1500-200", "-5", "a-b", "1-2-3", "fast"})
    void refusesAnythingElse(String text) {
        assertThatIllegalArgumentException().isThrownBy(() -> ClaimDelay.parse(text));
    }
}
