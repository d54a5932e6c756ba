package io.coscale.control;

import io.coscale.concurrent.SerialSteps;
import io.coscale.domain.ScaleUpPacing;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A pool's exits between their decision and their decrement, and the merged UpdateService that lowers the count for
 * them. A release step decides an exit and leaves the pool's steps free; the exit is then unprotected and recorded on
 * its task outside the steps, and once recorded it waits here for a write that lowers the count by it and by every
 * other exit recorded by then: one UpdateService for many exits instead of one each.
 *
 * <p>Invariants:
 * <ul>
 *   <li>Every decision is made from the count the pending exits leave ({@link PoolState#heading()}): two releases
 *       never both decide "exit: 3" from 4, an exit is never decided at minTasks, and a scale-up or a reconcile that
 *       wants a count writes that count plus the pending decrements ({@link PoolState#toWrite}).</li>
 *   <li>An exit's record precedes the write that lowers the count for it: a write carries only exits recorded, and
 *       only the longest run of them in decision order (an exit recorded before one decided earlier waits for it), so
 *       that a write lowers the count to the value the last exit it carries recorded, unless an exit decided before was
 *       given up or a scale-up came between.</li>
 *   <li>Each exit is carried by one write at most: lowered by its amount relative to the count coscale believes, once;
 *       a write that failed leaves its exits recorded, and each retried release finishes its own exit
 *       ({@link PoolState#lowerOnce}), lowering the count only while ECS shows it one above that exit's record. A lost
 *       write that landed left the count at or below every record it carried: nothing is lowered again. One that did
 *       not land is finished one exit at a time, the highest record first; a retry that comes out of that order finds
 *       the count more than one above its record and gives its decrement up (the count stays too high until another
 *       release takes it down): lost, never doubled.</li>
 *   <li>Count changes stay serialized: the write is a step of the pool. It is paced as the merged scale-up is
 *       ({@link ScaleUpPacing}): the first at once, then, while exits keep being recorded, a wider gap each time up to
 *       {@code scale-up-spacing-max}, so an exit storm costs a handful of UpdateService calls and no exit waits more
 *       than that gap (and its budget token) for its decrement.</li>
 * </ul>
 */
final class ExitDecrements {

    /** One exit that lowers the count by {@code amount} (one, unless the count was above maxTasks). */
    static final class Exit {
        private final int amount;
        private boolean recorded;
        private final CompletableFuture<Void> written = new CompletableFuture<>();

        private Exit(int amount) {
            this.amount = amount;
        }
    }

    private final ControlContext ctx;
    private final SerialSteps steps;
    private final PoolState state;
    private final Runnable afterLowering;
    private final ScaleUpPacing pacing;

    // All @GuardedBy("this"); never held while calling the state.
    private final ArrayDeque<Exit> pending = new ArrayDeque<>();
    private boolean writeQueued;
    private long lastWriteNanos = Long.MIN_VALUE / 2;
    private long gapNanos;

    /** @param afterLowering run after a write lowered the count (jobs counted meanwhile may need a scale-up) */
    ExitDecrements(ControlContext ctx, SerialSteps steps, PoolState state, Runnable afterLowering) {
        this.ctx = ctx;
        this.steps = steps;
        this.state = state;
        this.afterLowering = afterLowering;
        this.pacing = new ScaleUpPacing(ctx.scaleUpSpacing().toNanos(), ctx.scaleUpSpacingMax().toNanos());
        this.gapNanos = pacing.firstGapNanos();
    }

    /** In the release step that decided it: an exit that lowers the count by {@code amount}, pending from now. */
    Exit decided(int amount) {
        Exit exit = new Exit(amount);
        state.exitsPending(amount);
        synchronized (this) {
            pending.add(exit);
        }
        return exit;
    }

    /** The exit is recorded on its task. Completes once a write lowered the count for it, or fails with that write. */
    CompletableFuture<Void> recorded(Exit exit) {
        synchronized (this) {
            exit.recorded = true;
        }
        scheduleWrite();
        return exit.written;
    }

    /** The exit failed before it was written (its unprotect or its record): it lowers nothing. */
    void dropped(Exit exit) {
        boolean removed;
        synchronized (this) {
            removed = pending.remove(exit);
        }
        if (removed) {
            state.exitsPending(-exit.amount);
            scheduleWrite();
        }
    }

    /** Queues the merged write when the oldest pending exit is recorded and none is queued; paced. */
    private void scheduleWrite() {
        long delayNanos;
        synchronized (this) {
            if (writeQueued || pending.isEmpty() || !pending.peek().recorded) {
                return;
            }
            writeQueued = true;
            ScaleUpPacing.Next next = pacing.next(ctx.nanoTime(), lastWriteNanos, gapNanos);
            gapNanos = next.gapNanos();
            delayNanos = next.waitNanos();
        }
        if (delayNanos == 0) {
            steps.submit(this::write);
        } else {
            ctx.threads().timer().schedule(() -> steps.submit(this::write), delayNanos, TimeUnit.NANOSECONDS);
        }
    }

    /** The merged write: a step. It carries the recorded exits at the head of the queue, in decision order. */
    private CompletableFuture<Void> write() {
        List<Exit> carried = new ArrayList<>();
        int amount = 0;
        synchronized (this) {
            writeQueued = false;
            while (!pending.isEmpty() && pending.peek().recorded) {
                Exit exit = pending.poll();
                carried.add(exit);
                amount += exit.amount;
            }
            lastWriteNanos = ctx.nanoTime();
        }
        if (carried.isEmpty()) {
            return CompletableFuture.completedFuture(null);
        }
        return state.lowerForExits(amount).whenComplete((ok, e) -> {
            for (Exit exit : carried) {
                if (e == null) {
                    exit.written.complete(null);
                } else {
                    exit.written.completeExceptionally(e);
                }
            }
            if (e == null) {
                afterLowering.run();
            }
            scheduleWrite();
        });
    }
}
