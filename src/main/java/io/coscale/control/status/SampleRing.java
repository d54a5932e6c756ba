package io.coscale.control.status;

import java.util.ArrayDeque;
import java.util.List;

/** A pool's most recent samples, bounded: the oldest goes when a new one comes. Thread-safe. */
final class SampleRing {

    private final int capacity;
    // @GuardedBy("this")
    private final ArrayDeque<Sample> samples;

    SampleRing(int capacity) {
        this.capacity = capacity;
        this.samples = new ArrayDeque<>(capacity);
    }

    synchronized void add(Sample sample) {
        if (samples.size() == capacity) {
            samples.removeFirst();
        }
        samples.addLast(sample);
    }

    /** Every sample kept, oldest first. */
    synchronized List<Sample> oldestFirst() {
        return List.copyOf(samples);
    }
}
