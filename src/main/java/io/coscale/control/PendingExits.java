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
 * A pool's exits recorded on their tasks whose decrement is not yet written, and how a step's count change settles
 * them (used inside {@link PoolState} only, under its lock). With the count C (what ECS was last told or showed), P
 * exits pending and the heading H = C − P (every release decides from H), the next step that writes the count takes
 * every pending exit with it: it wants a count W (a scale-up's target above H, a reconcile's correction, or H itself
 * for the exits' merged decrement alone); min(P, W − H) of the exits are absorbed (their tasks are replaced by the
 * raise, so their decrement is no longer needed) and the count is lowered for the rest by the same write. When W equals
 * C nothing is written at all. So a raise during an exit storm never writes its target plus the pending decrements
 * (the exiting tasks then still running, ECS could stop a new task instead of an exiting one), and a storm of exits
 * costs one UpdateService per step instead of one per exit.
 *
 * <p>An exit is counted once: its record precedes the write that includes it (it is added here only once recorded),
 * and a write that failed fails every exit it carried: each is {@code RECORDED} in {@link PoolTasks}, and its retried
 * release finishes it alone ({@link PoolState#lowerOnce}), lowering only while ECS shows the count one above its
 * record: a lost merged write that landed lowers nothing again, one that did not is finished one exit at a time (an
 * exit retried out of order gives its decrement up: lost, never doubled). Exits pending when the lease epoch changed,
 * or when the count may not be lowered from ({@link CountBelief} not settled, or {@code exit-settle} not passed since
 * start-up), are failed the same way, not lowered from a count that may predate another writer's.
 */
final class PendingExits {

    /** One exit: the lease epoch it was recorded under, and its answer, completed once it is counted. */
    private record Exit(long epoch, CompletableFuture<Void> counted) {
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

    private final List<Exit> exits = new ArrayList<>();

    /** How many exits are pending. */
    int size() {
        return exits.size();
    }

    /** An exit recorded under {@code epoch}, pending from now; its future completes once it is counted. */
    CompletableFuture<Void> add(long epoch) {
        Exit exit = new Exit(epoch, new CompletableFuture<>());
        exits.add(exit);
        return exit.counted();
    }

    /** Takes every pending exit out, uncounted: no step will count them. Their answers are the caller's to fail. */
    List<CompletableFuture<Void>> removeAll() {
        List<CompletableFuture<Void>> removed = exits.stream().map(Exit::counted).toList();
        exits.clear();
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
        for (Exit exit : exits) {
            (exitsMayLower && exit.epoch() == epoch ? counted : refused).add(exit.counted());
        }
        exits.clear();
        int heading = count - counted.size();
        // Never below minTasks (the exits were decided above it; the count may have been read lower since).
        int to = Math.max(wanted.applyAsInt(heading), Math.min(pool.minTasks(), count));
        if (!mayLower) {
            to = Math.max(to, count);
        }
        return new Settling(count, to, Math.min(counted.size(), Math.max(0, to - heading)), counted, refused);
    }
}
