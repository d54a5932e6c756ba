package io.coscale.domain;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PoolTest {

    /** Every invalid field, one row each, must name its own configuration key. */
    @ParameterizedTest(name = "{9} -> {10}")
    @CsvSource(delimiter = '|', nullValues = "null", textBlock = """
            ' '  | s    | q    | 0  | 1  | protect | 1 | 60   | 60   | blank cluster          | coscale.pools.p.cluster
            null | s    | q    | 0  | 1  | protect | 1 | 60   | 60   | null cluster           | coscale.pools.p.cluster
            ''   | s    | q    | 0  | 1  | protect | 1 | 60   | 60   | empty cluster          | coscale.pools.p.cluster
            c    | ' '  | q    | 0  | 1  | protect | 1 | 60   | 60   | blank service          | coscale.pools.p.service
            c    | s    | null | 0  | 1  | protect | 1 | 60   | 60   | null queue             | coscale.pools.p.queue-url
            c    | s    | q    | -1 | 1  | protect | 1 | 60   | 60   | negative min           | coscale.pools.p.min-tasks
            c    | s    | q    | 3  | 2  | protect | 1 | 60   | 60   | min above max          | coscale.pools.p.min-tasks
            c    | s    | q    | 0  | 0  | protect | 1 | 60   | 60   | max zero               | coscale.pools.p.max-tasks
            c    | s    | q    | 0  | -5 | protect | 1 | 60   | 60   | max negative           | coscale.pools.p.max-tasks
            c    | s    | q    | 0  | 1  | null    | 1 | 60   | 60   | no mode                | coscale.pools.p.mode
            c    | s    | q    | 0  | 1  | protect | 0 | 60   | 60   | zero per task          | coscale.pools.p.messages-per-task
            c    | s    | q    | 0  | 1  | protect | 1 | 0    | 60   | zero protection        | coscale.pools.p.protection-minutes
            c    | s    | q    | 0  | 1  | protect | 1 | 2881 | 60   | protection over 48h    | coscale.pools.p.protection-minutes
            c    | s    | q    | 0  | 1  | protect | 1 | 60   | -1   | negative idle          | coscale.pools.p.scale-in-idle
            c    | s    | q    | 0  | 1  | protect | 1 | 60   | null | no idle                | coscale.pools.p.scale-in-idle
            """)
    void rejectsInvalidFieldsNamingTheConfigKey(String cluster, String service, String queue, int min, int max,
            String mode, int perTask, int protection, Long idleSeconds, String row, String key) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Pool("p", cluster,
                service, queue, min, max, mode == null ? null : Mode.parse(mode), perTask, protection,
                idleSeconds == null ? null : Duration.ofSeconds(idleSeconds)));
        assertTrue(e.getMessage().startsWith(key + " "), row + ": " + e.getMessage());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', nullValues = "null", textBlock = """
            null
            ''
            '   '
            """)
    void rejectsBlankPoolName(String name) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Pool(name, "c", "s",
                "q", 0, 1, Mode.PROTECT, 1, 60, Duration.ZERO));
        assertTrue(e.getMessage().startsWith("coscale.pools.<name>"), e.getMessage());
    }

    @ParameterizedTest(name = "min={0} max={1} protection={2} idle={3}s")
    @CsvSource({"0,1,1,0", "0,8,60,60", "5,5,2880,0", "1,1000,1,86400"})
    void acceptsBoundaryValues(int min, int max, int protection, long idle) {
        assertDoesNotThrow(() -> new Pool("p", "c", "s", "q", min, max, Mode.COOPERATIVE, 1, protection,
                Duration.ofSeconds(idle)));
    }

    @ParameterizedTest(name = "clamp({2}) in [{0},{1}] = {3}")
    @CsvSource({
        "0, 8, -3, 0",
        "0, 8, 0, 0",
        "0, 8, 5, 5",
        "0, 8, 8, 8",
        "0, 8, 9, 8",
        "2, 4, 1, 2",
        "2, 4, 2147483647, 4",
        "2, 4, -2147483648, 2",
        "3, 3, 7, 3",
    })
    void clampsIntoBounds(int min, int max, int n, int expected) {
        Pool pool = TestPools.pool(min, max);
        assertEquals(expected, pool.clamp(n));
        assertTrue(pool.withinBounds(pool.clamp(n)));
    }
}
