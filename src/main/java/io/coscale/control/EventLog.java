package io.coscale.control;

import io.coscale.domain.Event;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/** A pool's most recent events, bounded; read newest first. Thread-safe. */
public final class EventLog {

    private final int capacity;
    // @GuardedBy("this")
    private final ArrayDeque<Event> events = new ArrayDeque<>();

    public EventLog(int capacity) {
        this.capacity = capacity;
    }

    public synchronized void add(Event event) {
        if (events.size() == capacity) {
            events.removeFirst();
        }
        events.addLast(event);
    }

    /** Up to {@code limit} events, newest first. */
    public synchronized List<Event> newest(int limit) {
        List<Event> newest = new ArrayList<>(Math.min(limit, events.size()));
        for (Iterator<Event> it = events.descendingIterator(); it.hasNext() && newest.size() < limit; ) {
            newest.add(it.next());
        }
        return newest;
    }
}
