package io.coscale.concurrent;

import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * At most {@code permits} asynchronous calls in flight at once; the others wait their turn in submission order,
 * holding no thread. The reconciler reads a thousand queues and services through it, so that a pass fills only part
 * of the SQS and ECS threads and the calls of workers and submitters find a free thread meanwhile.
 *
 * <p>Guarantees: a call starts only while fewer than {@code permits} others are in flight; calls start in the
 * order they were submitted; every returned future completes as its call's does (a call that throws before it
 * returns its future fails only that future); a finished call, however it finished, hands its permit on.
 */
public final class InFlightLimit {

    private final int permits;
    // @GuardedBy("this")
    private int inFlight;
    // @GuardedBy("this") calls waiting for a permit, oldest first
    private final ArrayDeque<Runnable> waiting = new ArrayDeque<>();

    public InFlightLimit(int permits) {
        if (permits < 1) {
            throw new IllegalArgumentException("permits must be >= 1, got " + permits);
        }
        this.permits = permits;
    }

    /** Starts {@code call} now if a permit is free, else when one is; the answer completes as the call's does. */
    public <T> CompletableFuture<T> submit(Supplier<CompletableFuture<T>> call) {
        CompletableFuture<T> answer = new CompletableFuture<>();
        // The permit is handed on before the answer completes, whatever the call did.
        Runnable start = () -> Futures.relay(Futures.start(call).whenComplete((value, failure) -> handOn()), answer);
        boolean now;
        synchronized (this) {
            now = inFlight < permits;
            if (now) {
                inFlight++;
            } else {
                waiting.add(start);
            }
        }
        if (now) {
            start.run();
        }
        return answer;
    }

    /** Calls in flight now. */
    public synchronized int inFlight() {
        return inFlight;
    }

    /** A call finished: its permit goes to the oldest waiting call, or back to the pool. */
    private void handOn() {
        Runnable next;
        synchronized (this) {
            next = waiting.poll();
            if (next == null) {
                inFlight--;
            }
        }
        if (next != null) {
            next.run();
        }
    }
}
