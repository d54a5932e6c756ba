package io.coscale.control;

import io.coscale.concurrent.Futures;
import io.coscale.domain.Pool;
import java.util.ArrayList;
import java.util.List;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.IntFunction;
import java.util.function.IntUnaryOperator;

/**
 * A pool's exits from their decision to the write that counts them, and how a step's count change settles them (used
 * inside {@link PoolState} only, under its lock).
 *
 * <p>Invariant: with the count C (what ECS was last told or showed), R exits decided whose record is still being
 * written and P exits recorded whose decrement is not yet written, every release decides from the heading
 * H = C − R − P; and each exit is counted by exactly one write (lowered for, or absorbed by a raise) and answered only
 * once that write is made and its record landed, whichever comes last. No write lowers for an exit whose record has
 * not landed. So:
 * <ul>
 *   <li>An exit enters when it is decided, in the pool's step, under the lock that read the heading it decided from
 *       ({@link #decided}): the next release decides one below it, though its record's writes (unprotect, tag, their
 *       budget waits) run outside the pool's steps. Its record landed, it is pending ({@link #recorded}); its record
 *       failed, it leaves ({@link #withdraw}), and the heading is one higher again: no decrement was written for it.</li>
 *   <li>The next step that writes the count takes every exit it can with it: it wants a count W of the heading (a
 *       scale-up's target above H, a reconcile's correction, or H itself for the exits' merged decrement alone). A
 *       raise above H absorbs exits (their tasks are replaced by it, so their decrement is no longer needed), those in
 *       flight first, then pending ones; the pending exits it does not absorb are lowered for by the same write; the
 *       exits in flight it does not absorb keep their room: it writes W + the exits left in flight, which a later
 *       write lowers for once they are recorded. When the count to write is C nothing is written at all. So a raise
 *       during an exit storm writes its target plus the decrements only of exits it cannot absorb (the exiting tasks
 *       then still running, ECS could stop a new task instead of an exiting one), a storm of exits costs one
 *       UpdateService per step, not one per exit, and an exit is answered with the first write after its record, not
 *       after every record of the storm.</li>
 *   <li>An exit absorbed while in flight whose record then fails is counted all the same (the raise replaced its
 *       task): its retried release records it again and does not lower for it ({@link Release}).</li>
 * </ul>
 *
 * <p>A write that failed fails every exit it carried: each is {@code RECORDED} in {@link PoolTasks}, and its retried
 * release finishes it alone ({@link PoolState#lowerOnce}), lowering only while ECS shows the count one above its
 * record: a lost merged write that landed lowers nothing again, one that did not is finished one exit at a time (an
 * exit retried out of order gives its decrement up: lost, never doubled). Exits pending when the lease epoch changed,
 * or when the count may not be lowered from ({@link CountBelief} not settled, or {@code exit-settle} not passed since
 * start-up), are failed the same way, not lowered from a count that may predate another writer's.
 */
final class PendingExits {

    /**
     * One exit: the lease epoch it was decided under, and its answer, completed once it is counted. A handle: each is
     * its own exit (its future is compared by identity).
     */
    record Exit(long epoch, CompletableFuture<Void> counted) {
    }

    /**
     * A step's count change, planned: ECS's count {@code from} is to be written to {@code to} (nothing is written when
     * equal); {@code counted} exits are absorbed or lowered by it, {@code absorbed} of them absorbed; {@code refused}
     * ones are not lowered for.
     */
    record Settling(int from, int to, int absorbed, List<CompletableFuture<Void>> counted,
            List<CompletableFuture<Void>> refused) {

        /** Whether the change writes the count. */
        boolean writes() {
            return to != from;
        }

        /**
         * Carries the change out: {@code to} written through {@code write} (nothing when it is the count), then the
         * exits answered; completes with this change, or fails with the write.
         */
        CompletableFuture<Settling> write(IntFunction<CompletableFuture<Void>> write, Throwable refusal) {
            if (!writes()) {
                answer(null, refusal);
                return CompletableFuture.completedFuture(this);
            }
            return write.apply(to).handle((ok, e) -> {
                answer(e == null ? null : Futures.cause(e), refusal);
                if (e != null) {
                    throw new CompletionException(Futures.cause(e));
                }
                return this;
            });
        }

        /** Answers the exits: counted ones with {@code failure} (null: counted), refused ones with {@code refusal}. */
        void answer(Throwable failure, Throwable refusal) {
            refused.forEach(exit -> exit.completeExceptionally(refusal));
            counted.forEach(exit -> {
                if (failure == null) {
                    exit.complete(null);
                } else {
                    exit.completeExceptionally(failure);
                }
            });
        }
    }

    /** Exits decided whose record is being written: in the heading, in no write. */
    private final List<Exit> inFlight = new ArrayList<>();
    /** Exits recorded on their tasks whose decrement is not yet written: the next count change takes them. */
    private final List<Exit> recorded = new ArrayList<>();

    /** How many exits lower the heading: those in flight and those pending. */
    int size() {
        return inFlight.size() + recorded.size();
    }

    /** An exit decided under {@code epoch}: in flight from now, until its record lands or fails. */
    Exit decided(long epoch) {
        Exit exit = new Exit(epoch, new CompletableFuture<>());
        inFlight.add(exit);
        return exit;
    }

    /**
     * The exit's record landed: pending from now, unless a raise absorbed it meanwhile; its future completes once it
     * is counted (at once, or with the write under way, when absorbed).
     */
    CompletableFuture<Void> recorded(Exit exit) {
        if (inFlight.remove(exit)) {
            recorded.add(exit);
        }
        return exit.counted();
    }

    /**
     * The exit's record failed: it leaves, counted by no write (its retried release finishes it, or decides again),
     * its future failed with {@code failure}; unless a raise absorbed it meanwhile: then its future completes as that
     * write does, and the exit is counted by it.
     */
    CompletableFuture<Void> withdraw(Exit exit, Throwable failure) {
        if (inFlight.remove(exit)) {
            exit.counted().completeExceptionally(failure);
        }
        return exit.counted();
    }

    /** Takes every pending exit out, uncounted: no step will count them. Their answers are the caller's to fail. */
    List<CompletableFuture<Void>> removeAll() {
        List<CompletableFuture<Void>> removed = recorded.stream().map(Exit::counted).toList();
        recorded.clear();
        return removed;
    }

    /**
     * Plans a step's change of the count {@code count} and takes every pending exit into it.
     *
     * @param wanted the count the step wants, given the heading (the identity: the exits' merged decrement alone)
     * @param exitsMayLower whether the count may be lowered for exits (else they are refused)
     * @param mayLower whether the count may be lowered at all (else it is written no lower than {@code count})
     */
    Settling settle(Pool pool, int count, long epoch, IntUnaryOperator wanted, boolean exitsMayLower, boolean mayLower) {
        List<CompletableFuture<Void>> counted = new ArrayList<>();
        List<CompletableFuture<Void>> refused = new ArrayList<>();
        for (Exit exit : recorded) {
            (exitsMayLower && exit.epoch() == epoch ? counted : refused).add(exit.counted());
        }
        recorded.clear();
        int pending = counted.size();
        int flying = inFlight.size();
        int heading = count - pending - flying;
        // Never below minTasks (the exits were decided above it; the count may have been read lower since).
        int target = Math.max(wanted.applyAsInt(heading), Math.min(pool.minTasks(), count - flying));
        List<Exit> absorbable = exitsMayLower ? inFlight.stream().filter(exit -> exit.epoch() == epoch)
                .limit(Math.max(0, target - heading)).toList() : List.of();
        absorbable.forEach(exit -> counted.add(exit.counted()));
        inFlight.removeAll(absorbable);
        // Room left for the exits still in flight, but never above maxTasks (nor above a higher count read from ECS).
        int to = Math.min(target + inFlight.size(), Math.max(count, pool.maxTasks()));
        if (!mayLower) {
            to = Math.max(to, count);
        }
        int absorbedPending = Math.min(pending, Math.max(0, to - inFlight.size() - (count - pending)));
        return new Settling(count, to, absorbable.size() + absorbedPending, counted, refused);
    }
}
