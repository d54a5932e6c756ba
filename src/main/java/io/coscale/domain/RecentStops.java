package io.coscale.domain;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A pool's tasks stopped for other reasons ({@link TaskStop}) over the last {@code window}, for status: how many by
 * stopCode, and the last few. Holds at most {@code capacity} stops (the oldest dropped first), so a pool whose tasks
 * all die at once costs bounded memory. Each task is counted once, however often it is seen. Not thread-safe.
 */
public final class RecentStops {

    private final Duration window;
    private final int capacity;
    private final ArrayDeque<TaskStop> stops = new ArrayDeque<>();

    public RecentStops(Duration window, int capacity) {
        this.window = window;
        this.capacity = capacity;
    }

    /** Adds a stop; false (nothing changed) when the task is already counted. */
    public boolean add(TaskStop stop) {
        if (stops.stream().anyMatch(s -> s.taskArn().equals(stop.taskArn()))) {
            return false;
        }
        if (stops.size() == capacity) {
            stops.removeFirst();
        }
        stops.addLast(stop);
        return true;
    }

    /** Stops within the window before {@code now}, counted by stopCode (sorted by code). */
    public Map<String, Integer> byStopCode(Instant now) {
        forgetBefore(now);
        Map<String, Integer> counts = new TreeMap<>();
        stops.forEach(s -> counts.merge(s.stopCode(), 1, Integer::sum));
        return counts;
    }

    /** Up to {@code limit} stops within the window before {@code now}, newest first. */
    public List<TaskStop> newest(Instant now, int limit) {
        forgetBefore(now);
        List<TaskStop> newest = new ArrayList<>();
        for (Iterator<TaskStop> it = stops.descendingIterator(); it.hasNext() && newest.size() < limit; ) {
            newest.add(it.next());
        }
        return newest;
    }

    private void forgetBefore(Instant now) {
        Instant since = now.minus(window);
        stops.removeIf(s -> s.stoppedAt().isBefore(since));
    }
}
