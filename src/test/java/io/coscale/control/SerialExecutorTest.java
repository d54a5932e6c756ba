package io.coscale.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

class SerialExecutorTest {

    /** A delegate that only queues: the test decides when, and on which thread, anything runs. */
    static final class ManualExecutor implements Executor {
        final ArrayDeque<Runnable> pending = new ArrayDeque<>();
        boolean reject;

        @Override
        public void execute(Runnable r) {
            if (reject) {
                throw new RejectedExecutionException("test delegate is shut down");
            }
            pending.add(r);
        }

        void runAll() {
            for (Runnable r; (r = pending.poll()) != null; ) {
                r.run();
            }
        }
    }

    private final ManualExecutor delegate = new ManualExecutor();
    private final SerialExecutor serial = new SerialExecutor("test", delegate);
    private final List<String> log = new ArrayList<>();

    @Test
    void runsTasksInSubmissionOrderWithOneDrain() {
        for (int i = 0; i < 5; i++) {
            int n = i;
            serial.execute(() -> log.add("t" + n));
        }
        assertEquals(1, delegate.pending.size(), "submissions coalesce into one hand-off to the delegate");
        assertTrue(log.isEmpty(), "nothing runs on the submitting thread");
        delegate.runAll();
        assertEquals(List.of("t0", "t1", "t2", "t3", "t4"), log);
    }

    @Test
    void neverHandsTheDelegateASecondDrainWhileOneIsRunning() {
        serial.execute(() -> {
            log.add("first");
            serial.execute(() -> log.add("second"));
            // A second drain in the delegate now could run "second" beside this task on another thread.
            assertTrue(delegate.pending.isEmpty());
        });
        delegate.runAll();
        assertEquals(List.of("first", "second"), log);
        serial.execute(() -> log.add("after idle"));
        assertEquals(1, delegate.pending.size(), "an idle executor schedules again");
        delegate.runAll();
        assertEquals("after idle", log.get(2));
    }

    @Test
    void isNotReentrantEvenOnADirectDelegate() {
        SerialExecutor direct = new SerialExecutor("direct", Runnable::run);
        direct.execute(() -> {
            log.add("outer start");
            direct.execute(() -> log.add("inner"));
            log.add("outer end");
        });
        assertEquals(List.of("outer start", "outer end", "inner"), log);
    }

    @Test
    void aThrowingTaskDoesNotStopTheQueue() {
        serial.execute(() -> log.add("before"));
        serial.execute(() -> {
            throw new IllegalStateException("boom (expected by the test)");
        });
        serial.execute(() -> {
            throw new AssertionError("an Error too (expected by the test)");
        });
        serial.execute(() -> log.add("after"));
        delegate.runAll();
        assertEquals(List.of("before", "after"), log);
    }

    @Test
    void aRejectedTaskIsReportedAndDroppedAndTheExecutorIsNotStuck() {
        delegate.reject = true;
        assertThrows(RejectedExecutionException.class, () -> serial.execute(() -> log.add("rejected")));
        delegate.reject = false;
        serial.execute(() -> log.add("next"));
        delegate.runAll();
        assertEquals(List.of("next"), log);
    }

    @Test
    void tasksQueuedByOthersDuringARejectionRunOnTheNextExecute() {
        AtomicInteger handOffs = new AtomicInteger();
        SerialExecutor[] self = new SerialExecutor[1];
        self[0] = new SerialExecutor("window", r -> {
            if (handOffs.getAndIncrement() == 0) {
                // The rejection window made deterministic: another submitter gets in while the hand-off is
                // failing; it sees a drain already QUEUED and returns normally, trusting it to run.
                self[0].execute(() -> log.add("queued meanwhile"));
                throw new RejectedExecutionException("full");
            }
            delegate.execute(r);
        });
        SerialExecutor s = self[0];
        assertThrows(RejectedExecutionException.class, () -> s.execute(() -> log.add("rejected")));
        s.execute(() -> log.add("later"));
        delegate.runAll();
        assertEquals(List.of("queued meanwhile", "later"), log);
    }

    @Test
    void aDelegateThatStartsTheDrainAndThenThrowsIsNotMistakenForARejection() {
        SerialExecutor odd = new SerialExecutor("odd", r -> {
            r.run();
            throw new RejectedExecutionException("thrown after running");
        });
        odd.execute(() -> log.add("ran")); // must not throw: the task ran
        odd.execute(() -> log.add("ran again"));
        assertEquals(List.of("ran", "ran again"), log);
    }

    @Test
    void aLateThrowAfterAnotherDrainWasQueuedDoesNotFreeThatDrainsState() {
        AtomicInteger handOffs = new AtomicInteger();
        SerialExecutor[] self = new SerialExecutor[1];
        self[0] = new SerialExecutor("late", r -> {
            if (handOffs.getAndIncrement() == 0) {
                r.run(); // the drain runs and ends (IDLE)...
                self[0].execute(() -> log.add("second")); // ...another submitter queues a new drain (QUEUED)...
                throw new RejectedExecutionException("...and only now the first hand-off throws");
            }
            delegate.execute(r);
        });
        self[0].execute(() -> log.add("first"));
        self[0].execute(() -> log.add("third"));
        assertEquals(1, delegate.pending.size(), "a second concurrent drain would break serialization");
        delegate.runAll();
        assertEquals(List.of("first", "second", "third"), log);
    }

    @Test
    void oneTasksInterruptDoesNotLeakIntoTheNext() {
        serial.execute(() -> Thread.currentThread().interrupt());
        serial.execute(() -> log.add("interrupted=" + Thread.currentThread().isInterrupted()));
        delegate.runAll();
        assertEquals(List.of("interrupted=false"), log);
        assertTrue(Thread.interrupted(), "the interrupt is restored for the delegate thread (and cleared here)");
    }

    @Test
    void neverRunsTwoTasksAtOnceOnARealPool() throws InterruptedException {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        ExecutorService submitting = Executors.newFixedThreadPool(4);
        try {
            // Submitters on their own threads, so drains often go idle and restart on another pool thread.
            SerialExecutor s = new SerialExecutor("stress", pool);
            int submitters = 4;
            int perSubmitter = 5_000;
            AtomicInteger running = new AtomicInteger();
            AtomicInteger maxRunning = new AtomicInteger();
            CountDownLatch done = new CountDownLatch(submitters * perSubmitter);
            List<List<Integer>> seen = new ArrayList<>();
            for (int t = 0; t < submitters; t++) {
                seen.add(Collections.synchronizedList(new ArrayList<>()));
            }
            CountDownLatch start = new CountDownLatch(1);
            for (int t = 0; t < submitters; t++) {
                int submitter = t;
                submitting.execute(() -> {
                    awaitQuietly(start);
                    for (int i = 0; i < perSubmitter; i++) {
                        int n = i;
                        s.execute(() -> {
                            maxRunning.accumulateAndGet(running.incrementAndGet(), Math::max);
                            seen.get(submitter).add(n);
                            running.decrementAndGet();
                            done.countDown();
                        });
                    }
                });
            }
            start.countDown();
            assertTrue(done.await(30, TimeUnit.SECONDS), "all tasks ran in time; left: " + done.getCount());
            assertEquals(1, maxRunning.get(), "never two tasks at once");
            for (List<Integer> fromOne : seen) {
                for (int i = 0; i < perSubmitter; i++) {
                    assertEquals(i, fromOne.get(i), "one submitter's tasks run in its order");
                }
            }
        } finally {
            submitting.shutdownNow();
            pool.shutdownNow();
            assertTrue(pool.awaitTermination(10, TimeUnit.SECONDS));
            assertTrue(submitting.awaitTermination(10, TimeUnit.SECONDS));
        }
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void rejectsNullTasksAndArguments() {
        assertThrows(NullPointerException.class, () -> serial.execute(null));
        assertThrows(NullPointerException.class, () -> new SerialExecutor("x", null));
        assertFalse(serial.toString().isBlank());
    }
}
