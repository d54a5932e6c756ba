package io.coscale.domain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ReleasePolicyTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            # row                         |min|max|desired|visible|inFlight|delayed|submitted| kind     |count| reason
            visible work keeps it         | 0 | 8 | 4 | 3 | 0 | 0 | 0 | CONTINUE | 4 | queue has 3 visible messages
            one visible message           | 0 | 8 | 4 | 1 | 2 | 0 | 0 | CONTINUE | 4 | queue has 1 visible message
            visible beats the floor       | 2 | 8 | 2 | 5 | 0 | 0 | 0 | CONTINUE | 2 | queue has 5 visible messages
            submissions since observation | 0 | 8 | 4 | 0 | 0 | 0 | 2 | CONTINUE | 4 | 2 jobs submitted since the last observation
            one submission                | 1 | 8 | 1 | 0 | 0 | 0 | 1 | CONTINUE | 1 | 1 job submitted since the last observation
            empty at floor 0              | 0 | 8 | 0 | 0 | 0 | 0 | 0 | STAY     | 0 | at minTasks 0
            empty at floor 2              | 2 | 8 | 2 | 0 | 0 | 0 | 0 | STAY     | 2 | at minTasks 2
            below floor still stays       | 2 | 8 | 1 | 0 | 0 | 0 | 0 | STAY     | 1 | at minTasks 2
            empty exits                   | 0 | 8 | 4 | 0 | 0 | 0 | 0 | EXIT     | 3 | queue empty: 4 → 3
            last task exits to zero       | 0 | 8 | 1 | 0 | 0 | 0 | 0 | EXIT     | 0 | queue empty: 1 → 0
            just above floor              | 2 | 8 | 3 | 0 | 0 | 0 | 0 | EXIT     | 2 | queue empty: 3 → 2
            in-flight belongs to others   | 0 | 8 | 4 | 0 | 3 | 0 | 0 | EXIT     | 3 | queue empty: 4 → 3
            delayed does not keep it      | 0 | 8 | 4 | 0 | 0 | 9 | 0 | EXIT     | 3 | queue empty: 4 → 3
            at max exits by one           | 0 | 4 | 4 | 0 | 0 | 0 | 0 | EXIT     | 3 | queue empty: 4 → 3
            above max: back below max     | 0 | 8 | 12| 0 | 0 | 0 | 0 | EXIT     | 7 | queue empty: 12 → 7 (maxTasks 8)
            max lowered to 4              | 0 | 4 | 10| 0 | 0 | 0 | 0 | EXIT     | 3 | queue empty: 10 → 3 (maxTasks 4)
            one above max                 | 1 | 4 | 5 | 0 | 0 | 0 | 0 | EXIT     | 3 | queue empty: 5 → 3 (maxTasks 4)
            above max, min = max          | 4 | 4 | 6 | 0 | 0 | 0 | 0 | EXIT     | 4 | queue empty: 6 → 4 (maxTasks 4)
            above max with work continues | 0 | 4 | 10| 2 | 0 | 0 | 0 | CONTINUE | 10| queue has 2 visible messages
            """)
    void decidesByTheRulesInOrder(String row, int min, int max, int desired, long visible, long inFlight,
            long delayed, long submitted, ReleaseDecision.Kind kind, int count, String reason) {
        ReleaseDecision d = ReleasePolicy.decide(TestPools.pool(min, max), desired,
                new QueueDepth(visible, inFlight, delayed), submitted);
        assertEquals(new ReleaseDecision(kind, count, reason), d, row);
    }

    @Test
    void onlyExitLowersTheCountAndAnExitNeverLeavesTheBounds() {
        for (Pool pool : new Pool[] {TestPools.pool(1, 8), TestPools.pool(0, 3), TestPools.pool(3, 3)}) {
            for (int desired = 0; desired <= 12; desired++) {
                for (long visible = 0; visible <= 2; visible++) {
                    for (long submitted = 0; submitted <= 2; submitted++) {
                        ReleaseDecision d = ReleasePolicy.decide(pool, desired, new QueueDepth(visible, 0, 0), submitted);
                        String what = pool.minTasks() + ".." + pool.maxTasks() + " from " + desired + ": " + d;
                        if (!d.lowersCount()) {
                            assertEquals(desired, d.desiredCount(), what);
                        } else if (desired <= pool.maxTasks()) {
                            assertEquals(desired - 1, d.desiredCount(), what);
                        } else {
                            assertTrue(d.desiredCount() < desired && pool.withinBounds(d.desiredCount()), what);
                        }
                    }
                }
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            # row: a task of an older deployment     |min|max|desired|visible|submitted
            exits although work is visible           | 0 | 8 | 4 | 5 | 0
            exits although jobs were just submitted  | 0 | 8 | 4 | 0 | 3
            exits at the floor, count kept           | 2 | 8 | 2 | 0 | 0
            exits with an empty queue, count kept    | 0 | 8 | 4 | 0 | 0
            """)
    void aTaskOfAnOlderDeploymentExitsAndTheCountStays(String row, int min, int max, int desired, long visible,
            long submitted) {
        ReleaseDecision d = ReleasePolicy.decide(TestPools.pool(min, max), desired, new QueueDepth(visible, 0, 0),
                submitted, true);
        assertEquals(ReleaseDecision.Kind.EXIT, d.kind(), row);
        assertEquals(desired, d.desiredCount(), row);
        assertEquals(false, d.lowersCount(), row);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            # row                                        | mode        |min|desired|running| kind
            protect, count lowered below its tasks: exit | protect     | 0 | 0 | 1 | EXIT
            protect, floor 2 with 3 running: exit        | protect     | 2 | 2 | 3 | EXIT
            protect, floor 2 with 2 running: stay        | protect     | 2 | 2 | 2 | STAY
            protect, never read: stay                    | protect     | 0 | 0 | 0 | STAY
            cooperative: ECS stops the surplus itself    | cooperative | 0 | 0 | 1 | STAY
            """)
    void atTheFloorATaskTheCountNoLongerCoversExitsWithoutLowering(String row, String mode, int min, int desired,
            int running, ReleaseDecision.Kind kind) {
        Pool pool = TestPools.pool(min, 8, Mode.parse(mode), 1, 60);
        ReleaseDecision d = ReleasePolicy.decide(pool, desired, QueueDepth.EMPTY, 0, false, running);
        assertEquals(kind, d.kind(), row);
        assertEquals(desired, d.desiredCount(), row);
        assertEquals(false, d.lowersCount(), row);
    }

    @Test
    void rejectsNegativeInputs() {
        Pool pool = TestPools.pool(0, 8);
        assertThrows(IllegalArgumentException.class, () -> ReleasePolicy.decide(pool, -1, QueueDepth.EMPTY, 0));
        assertThrows(IllegalArgumentException.class, () -> ReleasePolicy.decide(pool, 1, QueueDepth.EMPTY, -1));
    }
}
