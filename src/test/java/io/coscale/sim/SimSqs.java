package io.coscale.sim;

import io.coscale.domain.QueueDepth;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;

/**
 * The pool's queue: visible messages, messages a worker holds, and the ones done. A worker receives one at a time and
 * deletes it when done, or gives it back (SIGTERM). Depth reads may lag ({@link #staleFor}), as SQS's approximate
 * counts do.
 */
final class SimSqs {

    private final SimScheduler scheduler;
    private final Deque<Integer> visible = new ArrayDeque<>();
    private final Map<Integer, String> inFlight = new HashMap<>();
    private int sent;
    private int deleted;
    private QueueDepth stale;
    private long staleUntil = Long.MIN_VALUE;

    SimSqs(SimScheduler scheduler) {
        this.scheduler = scheduler;
    }

    void send(int jobs) {
        for (int i = 0; i < jobs; i++) {
            visible.add(++sent);
        }
    }

    /** The next visible message for {@code worker}, or null when none is visible. */
    Integer receive(String worker) {
        Integer message = visible.poll();
        if (message != null) {
            inFlight.put(message, worker);
        }
        return message;
    }

    void delete(int message) {
        if (inFlight.remove(message) != null) {
            deleted++;
        }
    }

    void giveBack(int message) {
        if (inFlight.remove(message) != null) {
            visible.addFirst(message);
        }
    }

    QueueDepth depth() {
        return scheduler.nanos() < staleUntil ? stale : fresh();
    }

    QueueDepth fresh() {
        return new QueueDepth(visible.size(), inFlight.size(), 0);
    }

    void staleFor(QueueDepth before, long nanos) {
        stale = before;
        staleUntil = scheduler.nanos() + nanos;
    }

    int sent() {
        return sent;
    }

    int deleted() {
        return deleted;
    }
}
