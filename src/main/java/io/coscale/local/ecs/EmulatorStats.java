package io.coscale.local.ecs;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * The emulator's counters, as {@code GET /local/v1/stats} reports them. Thread-safe. Every counter only
 * grows; docs/LOCAL-CLOUD.md ("The local cloud's counters") documents each one and the sums that tie them together:
 * <ul>
 * <li>tasks: {@code tasksPlaced = tasksStopped + tasks not yet STOPPED};
 *     {@code tasksStopped = tasksStoppedBeforeStart + tasks stopped after they started};
 *     {@code tasksStopped = tasksStoppedByScaleIn + tasksStoppedByDeployment + tasksStoppedByStopTask
 *     + tasksExited + taskDeaths};</li>
 * <li>jobs: {@code jobsReceived = jobsCompleted + jobsFailed + jobsReturned + jobsInterrupted + messages held now}.</li>
 * </ul>
 */
public final class EmulatorStats {

    /** A consistent-enough copy of the counters, in the shape of {@code GET /local/v1/stats}. */
    public record Snapshot(Map<String, Long> apiCalls, long throttled,
            long tasksPlaced, long tasksStarted, long tasksStopped, long tasksStoppedBeforeStart,
            long tasksStoppedByScaleIn, long tasksStoppedByDeployment, long tasksStoppedByStopTask, long tasksExited,
            long taskDeaths, long tasksStoppedWhileBusy, long taskDeathsWhileBusy, long tasksStoppedByStopTaskWhileBusy,
            long jobsReceived, long jobsReceivedUnprotected, long jobsCompleted, long jobsFailed, long jobsReturned,
            long jobsInterrupted, long workerExitsClean, long workerExitsFailed, long exitRecordsStopped,
            long desiredCountRaised, long desiredCountLowered, long deploymentsStarted, long deploymentsCompleted,
            long faultsBeforeApply, long faultsAfterApply, long connectionsDropped, long staleReads) {

        public long apiCalls(String action) {
            return apiCalls.getOrDefault(action, 0L);
        }
    }

    private final Map<String, LongAdder> apiCalls = new ConcurrentHashMap<>();
    final AtomicLong throttled = new AtomicLong();
    /** Tasks created PENDING by a service's scheduler. */
    final AtomicLong tasksPlaced = new AtomicLong();
    /** Tasks that reached RUNNING (their workload started). */
    final AtomicLong tasksStarted = new AtomicLong();
    final AtomicLong tasksStopped = new AtomicLong();
    /** Stopped while still PENDING: they never ran. */
    final AtomicLong tasksStoppedBeforeStart = new AtomicLong();
    final AtomicLong tasksStoppedByScaleIn = new AtomicLong();
    final AtomicLong tasksStoppedByDeployment = new AtomicLong();
    final AtomicLong tasksStoppedByStopTask = new AtomicLong();
    /** Stopped because the workload ended by itself (ECS: essential container exited). */
    final AtomicLong tasksExited = new AtomicLong();
    /** Injected task deaths (a crash, an OOM kill, a lost instance). */
    final AtomicLong taskDeaths = new AtomicLong();
    /** Scale-in or deployment victims that held a received message: what coscale promises never happens. */
    final AtomicLong tasksStoppedWhileBusy = new AtomicLong();
    final AtomicLong taskDeathsWhileBusy = new AtomicLong();
    final AtomicLong tasksStoppedByStopTaskWhileBusy = new AtomicLong();
    final AtomicLong jobsReceived = new AtomicLong();
    /**
     * Of those, messages received by a task without scale-in protection at that moment: in {@code protect} mode, a
     * worker that received before its claim (or after it was told to exit), a message a scale-in could stop it with.
     */
    final AtomicLong jobsReceivedUnprotected = new AtomicLong();
    final AtomicLong jobsCompleted = new AtomicLong();
    final AtomicLong jobsFailed = new AtomicLong();
    /** Messages a worker gave back (visibility 0), e.g. on its stop signal. */
    final AtomicLong jobsReturned = new AtomicLong();
    /** Messages held by a task that stopped: they come back after the visibility timeout. */
    final AtomicLong jobsInterrupted = new AtomicLong();
    /**
     * Workloads that ended by themselves, before any stop signal, with exit code 0 (a worker obeying an exit
     * decision) or another code (a worker that failed); whatever cause the task's stop is then put down to.
     */
    final AtomicLong workerExitsClean = new AtomicLong();
    final AtomicLong workerExitsFailed = new AtomicLong();
    /**
     * Tasks that stopped carrying coscale's exit record (the {@code coscale:exit} tag): workers coscale told to exit
     * and counted, however the task then stopped — its own exit, or picked by ECS for the scale-in that its own
     * decrement caused before it had exited. Each exit lowers {@code desiredCount} once, so the decrements of a run
     * without other lowering never exceed this.
     */
    final AtomicLong exitRecordsStopped = new AtomicLong();
    /** Sums of UpdateService changes of desiredCount, up and down. */
    final AtomicLong desiredCountRaised = new AtomicLong();
    final AtomicLong desiredCountLowered = new AtomicLong();
    final AtomicLong deploymentsStarted = new AtomicLong();
    final AtomicLong deploymentsCompleted = new AtomicLong();
    /** Injected ECS errors answered before the action ran (nothing changed). */
    final AtomicLong faultsBeforeApply = new AtomicLong();
    /** Injected ECS errors answered after the action ran (it changed the world; the caller sees a 5xx). */
    final AtomicLong faultsAfterApply = new AtomicLong();
    /** Connections dropped after the action ran, with no answer at all. */
    final AtomicLong connectionsDropped = new AtomicLong();
    /** DescribeServices and DescribeTasks answers that showed an older state than the current one. */
    final AtomicLong staleReads = new AtomicLong();

    /** How many receive times {@link #recentReceives()} keeps. */
    static final int RECENT_RECEIVES = 64;
    private final Deque<Instant> recentReceives = new ArrayDeque<>();

    void apiCall(String action) {
        apiCalls.computeIfAbsent(action, a -> new LongAdder()).increment();
    }

    /** Counts a received message at {@code now}, and keeps its time among the recent ones. */
    void received(Instant now) {
        jobsReceived.incrementAndGet();
        synchronized (recentReceives) {
            if (recentReceives.size() == RECENT_RECEIVES) {
                recentReceives.removeFirst();
            }
            recentReceives.addLast(now);
        }
    }

    /**
     * When the last {@value #RECENT_RECEIVES} messages were received by tasks, oldest first: the times the tasks
     * reported themselves, so that gaps between receives read the same however late a caller looks.
     */
    public List<Instant> recentReceives() {
        synchronized (recentReceives) {
            return List.copyOf(recentReceives);
        }
    }

    public Snapshot snapshot() {
        Map<String, Long> calls = new TreeMap<>();
        apiCalls.forEach((action, n) -> calls.put(action, n.sum()));
        return new Snapshot(Map.copyOf(calls), throttled.get(),
                tasksPlaced.get(), tasksStarted.get(), tasksStopped.get(), tasksStoppedBeforeStart.get(),
                tasksStoppedByScaleIn.get(), tasksStoppedByDeployment.get(), tasksStoppedByStopTask.get(),
                tasksExited.get(), taskDeaths.get(), tasksStoppedWhileBusy.get(), taskDeathsWhileBusy.get(),
                tasksStoppedByStopTaskWhileBusy.get(), jobsReceived.get(), jobsReceivedUnprotected.get(),
                jobsCompleted.get(), jobsFailed.get(), jobsReturned.get(), jobsInterrupted.get(), workerExitsClean.get(), workerExitsFailed.get(),
                exitRecordsStopped.get(), desiredCountRaised.get(), desiredCountLowered.get(),
                deploymentsStarted.get(), deploymentsCompleted.get(), faultsBeforeApply.get(), faultsAfterApply.get(),
                connectionsDropped.get(), staleReads.get());
    }
}
