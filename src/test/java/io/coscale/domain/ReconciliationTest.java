package io.coscale.domain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.OptionalInt;
import java.util.Random;
import java.util.function.Supplier;

import io.coscale.domain.Reconciliation.Observation;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ReconciliationTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', nullValues = "-", textBlock = """
            # row                          | mode        |min|max|per|idle|desired|vis|infl|dly|emptyFor| new | reason
            converged: does nothing        | protect     | 0 | 8 | 1 | 60 | 3 | 2 | 1 | 0 | 0   | -  | converged
            converged at zero              | protect     | 0 | 8 | 1 | 60 | 0 | 0 | 0 | 0 | 600 | -  | converged
            converged at floor             | cooperative | 2 | 8 | 1 | 60 | 2 | 0 | 0 | 0 | 600 | -  | converged
            (a) above max                  | cooperative | 0 | 8 | 1 | 60 | 12| 3 | 0 | 0 | 0   | 8  | desiredCount 12 above maxTasks 8
            (a) above max with full queue  | protect     | 0 | 8 | 1 | 60 | 9 | 50| 0 | 0 | 0   | 8  | desiredCount 9 above maxTasks 8
            (a)+(d) idle protect: to floor | protect     | 1 | 8 | 1 | 60 | 12| 0 | 0 | 0 | 61  | 1  | queue empty for 61s (scale-in-idle 60s): 12 → 1
            (b) below min                  | protect     | 2 | 8 | 1 | 60 | 0 | 0 | 0 | 0 | 0   | 2  | desiredCount 0 below minTasks 2
            (c) below target               | protect     | 0 | 8 | 1 | 60 | 2 | 3 | 2 | 0 | 0   | 5  | 5 messages outstanding but only 2 tasks desired
            (c) singular                   | cooperative | 0 | 8 | 1 | 60 | 0 | 1 | 0 | 0 | 0   | 1  | 1 message outstanding but only 0 tasks desired
            (c) capped at max              | cooperative | 0 | 8 | 1 | 60 | 1 | 99| 0 | 0 | 0   | 8  | 99 messages outstanding but only 1 task desired
            (b)+(c) below min and target   | protect     | 1 | 8 | 1 | 60 | 0 | 4 | 0 | 0 | 0   | 4  | 4 messages outstanding but only 0 tasks desired
            (c) messages per task          | protect     | 0 | 8 | 4 | 60 | 1 | 9 | 0 | 0 | 0   | 3  | 9 messages outstanding but only 1 task desired
            (d) protect idle long enough   | protect     | 0 | 8 | 1 | 60 | 4 | 0 | 0 | 0 | 60  | 0  | queue empty for 60s (scale-in-idle 60s): 4 → 0
            (d) to a nonzero floor         | protect     | 2 | 8 | 1 | 0  | 5 | 0 | 0 | 0 | 0   | 2  | queue empty for 0s (scale-in-idle 0s): 5 → 2
            (d) not idle long enough       | protect     | 0 | 8 | 1 | 60 | 4 | 0 | 0 | 0 | 59  | -  | converged
            (d) delayed messages coming    | protect     | 0 | 8 | 1 | 60 | 4 | 0 | 0 | 2 | 600 | -  | converged
            (d) in flight: tasks busy      | protect     | 0 | 8 | 1 | 60 | 4 | 0 | 2 | 0 | 600 | -  | converged
            cooperative never lowers       | cooperative | 0 | 8 | 1 | 60 | 4 | 0 | 0 | 0 | 600 | -  | converged
            above target, queue busy       | protect     | 0 | 8 | 1 | 60 | 6 | 1 | 1 | 0 | 0   | -  | converged
            """)
    void decidesByTheRulesInOrder(String row, String mode, int min, int max, int perTask, long idle, int desired,
            long visible, long inFlight, long delayed, long emptyFor, Integer expected, String reason) {
        Pool pool = TestPools.pool(min, max, Mode.parse(mode), perTask, idle);
        Observation o = new Observation(desired, desired, 0, new QueueDepth(visible, inFlight, delayed),
                Duration.ofSeconds(emptyFor));
        ReconcileAction action = Reconciliation.decide(pool, o);
        assertEquals(expected == null ? OptionalInt.empty() : OptionalInt.of(expected), action.desiredCount(), row);
        assertEquals(reason, action.reason(), row);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', nullValues = "-", textBlock = """
            # row: in-flight messages count as far as busy tasks can hold them | per|desired|vis|infl|busy| new
            a failed job waiting its timeout starts no task                    | 1 | 0 | 0 | 1 | 0 | -
            nor keeps one asked for                                            | 1 | 1 | 0 | 1 | 0 | -
            held by a busy task, it counts                                     | 1 | 0 | 0 | 1 | 1 | 1
            two in flight, one busy task: one counts                           | 1 | 0 | 0 | 2 | 1 | 1
            a busy task holds up to messagesPerTask                            | 4 | 0 | 0 | 6 | 1 | 1
            visible work counts whoever is busy                                | 1 | 0 | 3 | 5 | 0 | 3
            """)
    void inFlightMessagesNoLiveTaskHoldsStartNoTask(String row, int perTask, int desired, long visible, long inFlight,
            int busy, Integer expected) {
        Pool pool = TestPools.pool(0, 8, Mode.PROTECT, perTask, 60);
        Observation o = new Observation(desired, desired, 0, new QueueDepth(visible, inFlight, 0), Duration.ZERO, busy);
        ReconcileAction action = Reconciliation.decide(pool, o);
        assertEquals(expected == null ? OptionalInt.empty() : OptionalInt.of(expected), action.desiredCount(), row);
    }

    @Test
    void aFifoQueueNeedsNoMoreTasksThanItsGroupsWithWork() {
        Pool pool = TestPools.pool(0, 8, Mode.PROTECT, 1, 60);
        QueueDepth depth = new QueueDepth(20, 0, 0);

        ReconcileAction oneGroup = Reconciliation.decide(pool, new Observation(0, 0, 0, depth, Duration.ZERO, 0, 1));
        ReconcileAction threeGroups = Reconciliation.decide(pool, new Observation(0, 0, 0, depth, Duration.ZERO, 0, 3));
        ReconcileAction unknown = Reconciliation.decide(pool, new Observation(0, 0, 0, depth, Duration.ZERO, 0));

        assertEquals(OptionalInt.of(1), oneGroup.desiredCount());
        assertEquals(OptionalInt.of(3), threeGroups.desiredCount());
        assertEquals(OptionalInt.of(8), unknown.desiredCount());
    }

    @Test
    void subSecondIdleIsShownInMillis() {
        Pool pool = TestPools.pool(0, 8, Mode.PROTECT, 1, 0);
        Observation o = new Observation(2, 2, 0, QueueDepth.EMPTY, Duration.ofMillis(250));
        assertEquals("queue empty for 250ms (scale-in-idle 0s): 2 → 0", Reconciliation.decide(pool, o).reason());
    }

    /**
     * Property: for many random pools and observations (fixed seed, so a failure reproduces), the count after
     * the action is within bounds, and deciding again on the result changes nothing: one pass converges.
     */
    @Test
    void resultIsAlwaysWithinBoundsAndAFixedPoint() {
        Random random = new Random(20250101L);
        for (int i = 0; i < 100_000; i++) {
            int max = 1 + random.nextInt(random.nextBoolean() ? 10 : 1000);
            int min = random.nextInt(max + 1);
            Mode mode = random.nextBoolean() ? Mode.PROTECT : Mode.COOPERATIVE;
            Pool pool = TestPools.pool(min, max, mode, 1 + random.nextInt(5), random.nextInt(3) * 30L);
            QueueDepth depth = new QueueDepth(small(random), small(random), small(random));
            Duration emptyFor = depth.isEmpty() ? Duration.ofSeconds(random.nextInt(120)) : Duration.ZERO;
            int desired = random.nextInt(2 * max + 3);
            Observation o = new Observation(desired, random.nextInt(desired + 1), random.nextInt(3), depth, emptyFor);

            ReconcileAction action = Reconciliation.decide(pool, o);
            int after = action.applyTo(desired);
            Supplier<String> ctx = () -> pool + " " + o + " -> " + action;
            assertTrue(pool.withinBounds(after), ctx);
            if (after < desired) { // only (a), or (d) in an idle protect pool, may lower
                boolean idle = mode == Mode.PROTECT && depth.isEmpty() && emptyFor.compareTo(pool.scaleInIdle()) >= 0;
                assertTrue(desired > max || idle, () -> "lowered without cause: " + ctx.get());
                assertTrue(after == max || after == min, ctx);
            }
            Observation converged = new Observation(after, o.runningCount(), o.pendingCount(), depth, emptyFor);
            assertEquals(ReconcileAction.noChange(), Reconciliation.decide(pool, converged),
                    () -> "not a fixed point: " + ctx.get());
            if (!action.changes()) {
                assertEquals(desired, after, ctx);
            }
        }
    }

    /** Mostly zeros (idle queues are the interesting case), sometimes large. */
    private static long small(Random random) {
        int r = random.nextInt(10);
        return r < 5 ? 0 : r < 9 ? random.nextInt(20) : random.nextInt(1_000_000);
    }

    @Test
    void observationRejectsNegatives() {
        assertThrows(IllegalArgumentException.class, () -> new Observation(-1, 0, 0, QueueDepth.EMPTY, Duration.ZERO));
        assertThrows(IllegalArgumentException.class,
                () -> new Observation(0, 0, 0, QueueDepth.EMPTY, Duration.ofSeconds(-1)));
    }

    @Test
    void actionFactories() {
        assertEquals(OptionalInt.empty(), ReconcileAction.noChange().desiredCount());
        assertEquals(7, ReconcileAction.noChange().applyTo(7));
        assertEquals(3, ReconcileAction.setDesired(3, "r").applyTo(7));
        assertTrue(ReconcileAction.setDesired(3, "r").changes());
        assertThrows(IllegalArgumentException.class, () -> ReconcileAction.setDesired(-1, "r"));
    }
}
