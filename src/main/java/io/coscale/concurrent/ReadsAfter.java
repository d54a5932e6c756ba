package io.coscale.concurrent;

import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * One reading shared by every caller that needs "a reading taken after I asked": a caller that asked at time
 * {@code t} gets the latest read if that read started at or after {@code t} (in flight or done), and otherwise starts
 * a new one. Many callers who ask while one read is in flight, and who each need a read started after them, share
 * the next read rather than each making their own.
 *
 * <p>Guarantees:
 * <ul>
 *   <li><b>Freshness</b>: the future handed to a caller is that of a read that started at or after the time the
 *       caller passed in, never an older one;</li>
 *   <li><b>Sharing</b>: a read is reused by every later caller whose time is not after its start;</li>
 *   <li><b>Failure</b>: a failed read is never handed out again; the next caller starts a new one.</li>
 * </ul>
 * Thread-safe. Never blocks: the read itself runs wherever {@code read} puts it.
 *
 * @param <T> what is read
 */
public final class ReadsAfter<T> {

    /** A read and the moment it started (nanoTime). */
    private record Read<T>(long startedNanos, CompletableFuture<T> result) {
    }

    private final Supplier<CompletableFuture<T>> read;
    private final LongSupplier nanoTime;
    // @GuardedBy("this") the read started last; null before the first.
    private Read<T> last;

    public ReadsAfter(Supplier<CompletableFuture<T>> read, LongSupplier nanoTime) {
        this.read = Objects.requireNonNull(read, "read");
        this.nanoTime = Objects.requireNonNull(nanoTime, "nanoTime");
    }

    /**
     * A reading that started at or after {@code askedNanos} ({@link System#nanoTime()} scale): the last read's if it
     * qualifies and has not failed, else a new read's.
     */
    public CompletableFuture<T> after(long askedNanos) {
        Read<T> started;
        synchronized (this) {
            if (last != null && last.startedNanos() - askedNanos >= 0 && !last.result().isCompletedExceptionally()) {
                return last.result();
            }
            // The start time is taken before the read is asked for, so that the read began no earlier than it says.
            started = new Read<>(nanoTime.getAsLong(), new CompletableFuture<>());
            last = started;
        }
        // Started outside the lock: the read may complete at once, and what callers chained then runs here.
        Futures.relay(Futures.start(read), started.result());
        return started.result();
    }
}
