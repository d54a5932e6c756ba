package io.coscale.local.ecs;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/** The emulator's counters, as {@code GET /local/v1/stats} reports them. Thread-safe. */
public final class EmulatorStats {

    /** A consistent-enough copy of the counters, in the shape of SPEC section 6. */
    public record Snapshot(Map<String, Long> apiCalls, long throttled, long tasksStarted, long tasksStopped,
            long tasksStoppedWhileBusy, long jobsCompleted, long jobsFailed, long jobsInterrupted) {

        public long apiCalls(String action) {
            return apiCalls.getOrDefault(action, 0L);
        }
    }

    private final Map<String, LongAdder> apiCalls = new ConcurrentHashMap<>();
    final AtomicLong throttled = new AtomicLong();
    final AtomicLong tasksStarted = new AtomicLong();
    final AtomicLong tasksStopped = new AtomicLong();
    final AtomicLong tasksStoppedWhileBusy = new AtomicLong();
    final AtomicLong jobsCompleted = new AtomicLong();
    final AtomicLong jobsFailed = new AtomicLong();
    final AtomicLong jobsInterrupted = new AtomicLong();

    void apiCall(String action) {
        apiCalls.computeIfAbsent(action, a -> new LongAdder()).increment();
    }

    public Snapshot snapshot() {
        Map<String, Long> calls = new TreeMap<>();
        apiCalls.forEach((action, n) -> calls.put(action, n.sum()));
        return new Snapshot(Map.copyOf(calls), throttled.get(), tasksStarted.get(), tasksStopped.get(),
                tasksStoppedWhileBusy.get(), jobsCompleted.get(), jobsFailed.get(), jobsInterrupted.get());
    }
}
