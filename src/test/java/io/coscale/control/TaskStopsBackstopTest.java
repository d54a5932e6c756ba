package io.coscale.control;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The stop check's backstop per pool: fixed by the pool's name, and spread so that pools do not check together. */
class TaskStopsBackstopTest {

    @Test
    void aPoolsBackstopIsFixedByItsNameWithinThirtyToNinetySeconds() {
        assertThat(TaskStops.backstopOf("orders")).isEqualTo(TaskStops.backstopOf("orders"));
        IntStream.range(0, 1_000).mapToObj(i -> TaskStops.backstopOf("pool-" + i)).forEach(backstop ->
                assertThat(backstop).isBetween(Duration.ofSeconds(30), Duration.ofSeconds(90)));
    }

    /** Names alike (pool-0 … pool-999, as a fleet names its pools) still spread over the whole minute. */
    @Test
    void poolsNamedAlikeAreSpreadOverTheMinute() {
        Map<Long, Integer> byTenSeconds = new TreeMap<>();
        IntStream.range(0, 1_000).mapToObj(i -> TaskStops.backstopOf("pool-" + i))
                .forEach(backstop -> byTenSeconds.merge(backstop.toSeconds() / 10, 1, Integer::sum));
        assertThat(byTenSeconds.keySet()).containsExactly(3L, 4L, 5L, 6L, 7L, 8L);
        assertThat(byTenSeconds.values()).allSatisfy(pools -> assertThat(pools).isBetween(120, 215));
    }
}
