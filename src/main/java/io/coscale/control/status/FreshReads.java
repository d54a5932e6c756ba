package io.coscale.control.status;

import io.coscale.concurrent.Futures;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

/**
 * Readings per key that callers get no older than the age they ask for: a reading past that age is read again, and
 * every caller that asks for a key while its read is in flight waits for that same read. However many callers ask,
 * a key has at most one read in flight. The stale keys one caller asks for are read in one batch, so that the
 * loader can merge them into as few calls as the API allows (DescribeServices takes 10 services a call).
 *
 * <p>A read runs on the thread of the caller that found the key stale (status reads are blocking requests anyway);
 * the others wait for it, at most {@code wait}. A read that fails, leaves a key out, or outlasts the wait leaves
 * the last good reading in place with its own, older {@code at}: a caller then shows how old its figures are rather
 * than nothing. A key is not read again until {@code maxAge} after its last attempt, failed or not: however many
 * callers ask, and whatever fails, a key costs at most one read per {@code maxAge}.
 *
 * <p>Only readings are kept here; nothing read feeds back into decisions.
 */
final class FreshReads<K, V> {

    private final Function<List<K>, Map<K, V>> loader;
    private final Clock clock;
    private final Duration wait;

    // @GuardedBy("this")
    private final Map<K, Observed<V>> latest = new HashMap<>();
    // @GuardedBy("this"); when each key's last read started, whatever came of it.
    private final Map<K, Instant> attempted = new HashMap<>();
    // @GuardedBy("this"); a key is in here from the moment one caller takes its read on until that read is over.
    private final Map<K, CompletableFuture<Optional<Observed<V>>>> inFlight = new HashMap<>();

    /**
     * @param loader reads the given keys at once; a key it cannot read is absent from its answer (or it throws, and
     *        all of them failed)
     * @param wait how long a caller waits for a read another caller has in flight
     */
    FreshReads(Function<List<K>, Map<K, V>> loader, Clock clock, Duration wait) {
        this.loader = loader;
        this.clock = clock;
        this.wait = wait;
    }

    /**
     * A reading of each key no older than {@code maxAge} when it can be had, else the last good one; a key never read
     * successfully is absent. Blocks while stale keys are read.
     */
    Map<K, Observed<V>> get(Collection<K> keys, Duration maxAge) {
        Instant now = clock.instant();
        Map<K, Observed<V>> result = new LinkedHashMap<>();
        Map<K, CompletableFuture<Optional<Observed<V>>>> waiting = new LinkedHashMap<>();
        Map<K, CompletableFuture<Optional<Observed<V>>>> mine = new LinkedHashMap<>();
        synchronized (this) {
            for (K key : keys) {
                Observed<V> last = latest.get(key);
                if (last != null && !last.olderThan(maxAge, now)) {
                    result.put(key, last);
                    continue;
                }
                CompletableFuture<Optional<Observed<V>>> read = inFlight.get(key);
                Instant tried = attempted.get(key);
                if (read == null && tried != null && Duration.between(tried, now).compareTo(maxAge) <= 0) {
                    // Its last read failed a moment ago: asking again at once would only repeat the failure.
                    if (last != null) {
                        result.put(key, last);
                    }
                    continue;
                }
                if (read == null) {
                    attempted.put(key, now);
                    read = new CompletableFuture<>();
                    inFlight.put(key, read);
                    mine.put(key, read);
                }
                waiting.put(key, read);
            }
        }
        if (!mine.isEmpty()) {
            read(mine);
        }
        long deadline = System.nanoTime() + wait.toNanos();
        for (Map.Entry<K, CompletableFuture<Optional<Observed<V>>>> entry : waiting.entrySet()) {
            await(entry.getValue(), deadline).or(() -> latest(entry.getKey())).ifPresent(o -> result.put(entry.getKey(), o));
        }
        return result;
    }

    /**
     * Forgets every key not in {@code live}: the readings of pools that were retired (a changed pool has a new
     * controller) or deleted. A read in flight for such a key still ends for its waiters, and keeps nothing.
     */
    synchronized void retain(Collection<K> live) {
        Set<K> keep = new HashSet<>(live);
        latest.keySet().retainAll(keep);
        attempted.keySet().retainAll(keep);
    }

    /** The last good reading of {@code key}, however old; never reads. */
    synchronized Optional<Observed<V>> latest(K key) {
        return Optional.ofNullable(latest.get(key));
    }

    private void read(Map<K, CompletableFuture<Optional<Observed<V>>>> mine) {
        Instant at = clock.instant();
        Map<K, V> values = Map.of();
        try {
            values = loader.apply(new ArrayList<>(mine.keySet()));
        } catch (RuntimeException e) {
            // every key failed: the last good readings stay
        } finally {
            settle(mine, values, at);
        }
    }

    /** Ends the reads this caller took on, with what they found; a key's next caller may read it again. */
    private void settle(Map<K, CompletableFuture<Optional<Observed<V>>>> mine, Map<K, V> values, Instant at) {
        Map<K, Optional<Observed<V>>> answers = new HashMap<>();
        synchronized (this) {
            for (K key : mine.keySet()) {
                V value = values.get(key);
                Optional<Observed<V>> answer = Optional.ofNullable(value).map(v -> new Observed<>(v, at));
                if (attempted.containsKey(key)) {
                    answer.ifPresent(o -> latest.put(key, o));
                }
                answers.put(key, answer);
                inFlight.remove(key);
            }
        }
        // Completed outside the lock: a waiter's continuation must not run while it is held.
        mine.forEach((key, read) -> read.complete(answers.get(key)));
    }

    private static <T> Optional<T> await(CompletableFuture<Optional<T>> read, long deadlineNanos) {
        try {
            return Futures.await(read, Duration.ofNanos(deadlineNanos - System.nanoTime()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        } catch (TimeoutException | RuntimeException e) {
            return Optional.empty();
        }
    }
}
