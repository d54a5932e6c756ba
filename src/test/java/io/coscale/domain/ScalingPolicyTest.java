package io.coscale.domain;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.OptionalInt;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ScalingPolicyTest {

    @ParameterizedTest(name = "[{0},{1}] per={2} outstanding={3} -> {4}")
    @CsvSource({
        // min, max, perTask, outstanding, target
        "0, 8, 1, 0, 0",
        "0, 8, 1, 1, 1",
        "0, 8, 1, 5, 5",
        "0, 8, 1, 8, 8",
        "0, 8, 1, 9, 8",           // capped at maxTasks
        "2, 8, 1, 0, 2",           // floor at minTasks
        "2, 8, 1, 1, 2",
        "0, 8, 3, 1, 1",           // ceil: a partial task is a task
        "0, 8, 3, 3, 1",
        "0, 8, 3, 4, 2",
        "0, 8, 3, 24, 8",
        "0, 8, 3, 25, 8",
        "0, 8, 1, -4, 0",          // nonsense input treated as nothing outstanding
        "0, 2147483647, 1, 9223372036854775807, 2147483647", // no overflow on huge counts
        "0, 2147483647, 2147483647, 9223372036854775807, 2147483647",
        "0, 100, 7, 9223372036854775807, 100",
    })
    void targetIsClampedCeilOfOutstandingPerTask(int min, int max, int perTask, long outstanding, int target) {
        assertEquals(target, ScalingPolicy.target(TestPools.pool(min, max, Mode.PROTECT, perTask, 60), outstanding));
    }

    @ParameterizedTest(name = "[{0},{1}] desired={2} outstanding={3} -> {4}")
    @CsvSource(nullValues = "-", value = {
        // min, max, currentDesired, outstanding, new desired (- = none)
        "0, 8, 0, 1, 1",
        "0, 8, 0, 5, 5",
        "0, 8, 3, 5, 5",
        "0, 8, 5, 5, -",           // already enough
        "0, 8, 6, 2, -",           // never lowers
        "0, 8, 4, 100, 8",         // raises to max, no further
        "0, 8, 8, 100, -",
        "0, 8, 10, 100, -",        // above max: not a scale-up; the reconciler lowers it
        "2, 8, 0, 0, 2",           // below min with no work: raised to the floor
        "0, 8, 0, 0, -",
    })
    void scaleUpOnlyRaises(int min, int max, int current, long outstanding, Integer expected) {
        OptionalInt result = ScalingPolicy.scaleUp(TestPools.pool(min, max), current, outstanding);
        assertEquals(expected == null ? OptionalInt.empty() : OptionalInt.of(expected), result);
    }
}
