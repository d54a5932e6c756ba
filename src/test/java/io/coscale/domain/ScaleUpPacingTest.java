package io.coscale.domain;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Gap first 100, max 400 (units: ms as nanos, for reading). */
class ScaleUpPacingTest {

    private final ScaleUpPacing pacing = new ScaleUpPacing(100, 400);

    @ParameterizedTest(name = "{0}: now {1}, last call {2}, gap {3} -> wait {4}, next gap {5}")
    @CsvSource({
            "first call of a quiet pool goes at once,      1000,  -10000, 100,   0, 100",
            "inside the gap: waits for the rest of it,     1030,    1000, 100,  70, 200",
            "a burst goes on: the gap doubles,             1050,    1000, 200, 150, 400",
            "the gap never passes its max,                 1050,    1000, 400, 350, 400",
            "exactly at the end of the gap: at once,       1100,    1000, 100,   0, 100",
            "after a quiet spell: back to the first gap,   9000,    1000, 400,   0, 100",
    })
    void paces(String row, long now, long last, long gap, long expectedWait, long expectedGap) {
        ScaleUpPacing.Next next = pacing.next(now, last, gap);
        assertThat(next.waitNanos()).as(row).isEqualTo(expectedWait);
        assertThat(next.gapNanos()).as(row).isEqualTo(expectedGap);
    }
}
