package io.coscale.domain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class QueueDepthTest {

    @ParameterizedTest(name = "({0},{1},{2}) outstanding={3} empty={4}")
    @CsvSource({
        "0, 0, 0, 0, true",
        "3, 0, 0, 3, false",
        "0, 4, 0, 4, false",
        "0, 0, 5, 0, false",   // delayed: not outstanding yet, but the queue is not empty either
        "2, 3, 7, 5, false",
        "9223372036854775807, 1, 0, 9223372036854775807, false", // saturates instead of wrapping negative
    })
    void outstandingCountsVisibleAndInFlight(long visible, long inFlight, long delayed, long outstanding,
            boolean empty) {
        QueueDepth depth = new QueueDepth(visible, inFlight, delayed);
        assertEquals(outstanding, depth.outstanding());
        assertEquals(empty, depth.isEmpty());
    }

    @ParameterizedTest(name = "({0},{1}) holdable {2}: outstanding={3}")
    @CsvSource({
        "0, 1, 0, 0",   // a failed job waiting out its timeout, nobody busy: needs no task
        "0, 1, 1, 1",
        "2, 5, 3, 5",
        "2, 5, -4, 2",  // a negative holdable counts as none
        "9223372036854775807, 3, 9223372036854775807, 9223372036854775807",
    })
    void inFlightCountsOnlyAsFarAsLiveTasksCanHoldIt(long visible, long inFlight, long holdable, long outstanding) {
        assertEquals(outstanding, new QueueDepth(visible, inFlight, 0).outstanding(holdable));
    }

    @ParameterizedTest
    @CsvSource({"-1,0,0", "0,-1,0", "0,0,-1"})
    void rejectsNegativeCounts(long visible, long inFlight, long delayed) {
        assertThrows(IllegalArgumentException.class, () -> new QueueDepth(visible, inFlight, delayed));
    }

    @Test
    void emptyConstantIsEmpty() {
        assertTrue(QueueDepth.EMPTY.isEmpty());
        assertEquals(0, QueueDepth.EMPTY.outstanding());
    }
}
