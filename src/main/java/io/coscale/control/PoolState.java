package io.coscale.control;

import io.coscale.aws.ServiceState;
import io.coscale.concurrent.Futures;
import io.coscale.concurrent.ReadsAfter;
import io.coscale.domain.Backlog;
import io.coscale.domain.CountBelief;
import io.coscale.domain.Event;
import io.coscale.domain.MessageGroups;
import io.coscale.domain.Pool;
import io.coscale.domain.QueueDepth;
import io.coscale.domain.Reconciliation;
import io.coscale.domain.ReleaseDecision;
import io.coscale.domain.ReleasePolicy;
import io.coscale.domain.ScalingPolicy;
import io.coscale.domain.TaskStop;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.IntSupplier;
import java.util.function.IntUnaryOperator;

/**
 * What one pool's controller knows, under one lock: the count as coscale believes it ({@link CountBelief}) and the
 * exits decided whose decrement is not yet written on it ({@link PendingExits}: decisions are made from the heading,
 * the count they leave), the backlog and a FIFO queue's groups with work, the service as last read, when this replica
 * began to act for the pool, and the last error. The pool's scale-up ({@link ScaleUp}) and release ({@link Release}) are handed this state; they
 * change the count only in the pool's steps.
 *
 * <p>The lock is this object's; {@link ScaleUp} keeps its own few fields under it too, so that counting a submission
 * and deciding to queue a flush are one step for other threads.
 *
 * <p>It decides a release ({@link #decideRelease}, on a depth read for it) and makes the two ECS calls the count is
 * kept by: {@link #settle} (UpdateService) and {@link #knownCount} (DescribeServices while the count is not
 * settled).
 */
final class PoolState {

    private final Pool pool;
    private final ControlContext ctx;
    private final EventLog events;
    /** How many of the pool's tasks are busy: they hold in-flight messages. */
    private final IntSupplier busyTasks;
    /** The queue's depth as releases read it, with the submission mark taken just before each read. */
    private final ReadsAfter<MarkedDepth> depthReads;

    // All @GuardedBy("this"). The count and the service change in steps only.
    /** When this replica began to act for the pool: its start-up, or its takeover of the lease. */
    private Instant startedAt;
    /** The lease epoch the count and the backlog were formed under (see {@link #sameLease}). */
    private long epoch;
    private CountBelief count;
    private final PendingExits pendingExits = new PendingExits();
    private final Backlog backlog = new Backlog();
    /** A FIFO pool's groups with work: it needs no more tasks than that. Unused for a standard queue. */
    private final MessageGroups groups = new MessageGroups();
    /** The service as last read: running and pending tasks, and its PRIMARY deployment (others' tasks drain). */
    private ServiceState service;
    private Instant lastReconcileAt;
    private final LastError lastError;

    PoolState(Pool pool, ControlContext ctx, EventLog events, IntSupplier busyTasks) {
        this.pool = pool;
        this.ctx = ctx;
        this.events = events;
        this.busyTasks = busyTasks;
        this.lastError = new LastError(pool, ctx, events);
        this.depthReads = new ReadsAfter<>(() -> {
            long mark = submissionMark();
            return ctx.depth(pool.queueUrl()).thenApply(depth -> new MarkedDepth(mark, depth));
        }, ctx::nanoTime);
        restart();
    }

    /**
     * Begins to act for the pool afresh (start-up, lease takeover): the count is to be read again, and the backlog
     * counts from now (what this replica accepted as a follower, the leader has scaled for).
     */
    synchronized void restart() {
        epoch = ctx.leadership().epoch();
        startedAt = ctx.clock().instant();
        count = new CountBelief(ctx.nanoTime(), ctx.exitSettle().toNanos());
        backlog.restart();
    }

    /**
     * The count and the backlog hold only under the lease epoch they were formed under: a replica that led, lost the
     * lease and took it back may meet a release or a scale-up before its take-over step runs, and the count it
     * believed then may be older than what the leader in between wrote. The first use under another epoch starts them
     * afresh, as the take-over does. Called with the lock held, before the count is used.
     */
    private void sameLease() {
        if (ctx.leadership().epoch() != epoch) {
            restart();
        }
    }

    /** Counts jobs SQS accepted (and a FIFO queue's groups they were sent to). */
    synchronized ScaleUp.Accepted accept(int jobs, List<String> messageGroups) {
        backlog.accepted(jobs);
        messageGroups.forEach(groups::accepted);
        return new ScaleUp.Accepted(ScalingPolicy.target(pool, outstanding()), heading());
    }

    /**
     * Jobs that need or hold a task: in-flight messages count only as far as busy tasks can hold them, jobs accepted
     * since the last read count on top, and a FIFO pool counts no more than its groups with work.
     */
    synchronized long outstanding() {
        return groups.limit(backlog.outstanding((long) busyTasks.getAsInt() * pool.messagesPerTask()));
    }

    /** How many jobs have been accepted so far. Take it just before reading the queue's depth (see {@link Backlog}). */
    synchronized long submissionMark() {
        return backlog.mark();
    }

    /** Takes in a queue depth read after {@code mark}. Called with the lock held. */
    private void observeQueue(QueueDepth observed, long mark, Instant now) {
        if (backlog.observe(observed, mark, now) && observed.isEmpty() && backlog.acceptedSince(mark) == 0) {
            groups.clear();
        }
    }

    /** A queue depth read, and {@link #submissionMark()} just before it was asked for. */
    private record MarkedDepth(long mark, QueueDepth depth) {
    }

    /** A release's decision, the count it was made from, and its exit in the heading (null: it lowers nothing). */
    record Decided(ReleaseDecision decision, int from, PendingExits.Exit exit) {
    }

    /**
     * A release's decision ({@link ReleasePolicy}) on the queue's depth read after {@code askedNanos} (releases queued
     * behind one another share one read: {@link ReadsAfter}), once the count is known ({@link #knownCount}, read from
     * ECS meanwhile when it is not); jobs accepted since the read's mark count as work. An exit that lowers the count
     * fails with {@link NotSettledException} while counts may not be lowered ({@link #unsettled}); one that may is in
     * the heading from its decision on ({@link PendingExits#decided}), so that the next release decides one below it.
     *
     * @param startedBy the task's {@code startedBy}: a task of an older deployment exits without lowering
     */
    CompletableFuture<Decided> decideRelease(long askedNanos, String startedBy) {
        boolean olderDeployment = olderDeployment(startedBy);
        return depthReads.after(askedNanos).thenCombine(knownCount(), (read, known) -> read).thenApply(read -> {
            Decided decided;
            NotSettledException unsettled;
            synchronized (this) {
                unsettled = unsettled();
                observeQueue(read.depth(), read.mark(), ctx.clock().instant());
                // Jobs accepted while SQS was being asked may be missing from its answer: work arrived meanwhile.
                ReleaseDecision decision = ReleasePolicy.decide(pool, heading(), read.depth(),
                        backlog.acceptedSince(read.mark()), olderDeployment, service == null ? 0 : service.runningCount());
                decided = new Decided(decision, heading(),
                        decision.lowersCount() && unsettled == null ? pendingExits.decided(epoch) : null);
            }
            ctx.metrics().releaseDecision(pool.name(), decided.decision().kind());
            if (decided.decision().lowersCount() && unsettled != null) {
                throw unsettled;
            }
            return decided;
        });
    }

    /** Takes in a reconcile pass's reads and returns what {@link Reconciliation#decide} is to see. */
    synchronized Reconciliation.Observation reconciled(ServiceState observed, QueueDepth depth, long observedAtNanos,
            long submissionMark) {
        Instant now = ctx.clock().instant();
        sameLease();
        count.read(observed.desiredCount(), observedAtNanos);
        service = observed;
        observeQueue(depth, submissionMark, now);
        lastReconcileAt = now;
        return new Reconciliation.Observation(heading(), observed.runningCount(), observed.pendingCount(),
                backlog.depth(), backlog.emptyFor(now), busyTasks.getAsInt(), groups.limit(Long.MAX_VALUE));
    }

    /** Whether a task was started by an older deployment, as the service was last read. */
    synchronized boolean olderDeployment(String startedBy) {
        return service != null && service.olderDeployment(startedBy);
    }

    synchronized Integer desired() {
        return count.value();
    }

    /** The count once every exit decided is lowered for: every decision is made from it. Null until the count is known. */
    synchronized Integer heading() {
        return count.value() == null ? null : count.value() - pendingExits.size();
    }

    /** An exit's record landed on its task, its decrement pending from now: completes once it is counted. */
    synchronized CompletableFuture<Void> exitRecorded(PendingExits.Exit exit) {
        return pendingExits.recorded(exit);
    }

    /** An exit's record failed: out of the heading ({@link PendingExits#withdraw}); completes if it was counted. */
    synchronized CompletableFuture<Void> exitWithdrawn(PendingExits.Exit exit, Throwable failure) {
        return pendingExits.withdraw(exit, failure);
    }

    /**
     * A step's count change, taking every pending exit with it ({@link PendingExits#settle}): the count written to
     * what {@code wanted} makes of the heading (nothing written when that is the count), the exits answered once it is
     * written, or failed with it. Exits are not lowered for while an exit could not be decided ({@link #unsettled}),
     * nor those recorded under another lease epoch; the count is not lowered at all while not settled. Within a step,
     * once the count is known ({@link #knownCount}).
     */
    CompletableFuture<PendingExits.Settling> settle(IntUnaryOperator wanted) {
        PendingExits.Settling settling;
        NotSettledException unsettled;
        synchronized (this) {
            sameLease();
            if (count.value() == null) {
                // The lease changed hands since the step read the count: nothing is written from a count not read.
                throw unknownCount();
            }
            unsettled = unsettled();
            settling = pendingExits.settle(pool, count.value(), epoch, wanted, unsettled == null, count.settled());
        }
        return settling.write(this::changeDesired, unsettled != null ? unsettled : new NotSettledException("the lease "
                + "changed hands since the exit was recorded: its retried release finishes it from ECS's count"));
    }

    /** No step follows to count the pending exits: they fail with {@code failure} (their retried releases finish them). */
    void exitsFailed(Throwable failure) {
        List<CompletableFuture<Void>> failed;
        synchronized (this) {
            failed = pendingExits.removeAll();
        }
        // Outside the lock, as a settled change answers its exits: what waits on them runs on.
        failed.forEach(exit -> exit.completeExceptionally(failure));
    }

    /**
     * Why no count may be lowered for an exit now (the worker retries), null when one may: not until {@code exitSettle}
     * has passed since start-up, nor while the count is not settled, since ECS reads just after a restart may not yet
     * show what the killed coscale recorded or set, nor reads just after a write of unknown outcome that write. With
     * the lock held.
     */
    private NotSettledException unsettled() {
        Duration since = Duration.between(startedAt, ctx.clock().instant());
        if (since.compareTo(ctx.exitSettle()) < 0) {
            return new NotSettledException("coscale started " + since.toMillis() + " ms ago; it lowers counts once ECS "
                    + "reads have settled (" + ctx.exitSettle().toMillis() + " ms)");
        }
        return count.settled() ? null : unknownCount();
    }

    private NotSettledException unknownCount() {
        return new NotSettledException("desiredCount is not known: " + (count.writeLost() ? "an UpdateService went "
                + "unanswered" : "this replica took the pool over") + "; coscale lowers counts again once an ECS read made "
                + ctx.exitSettle().toMillis() + " ms after that shows the count");
    }

    /**
     * Sets desiredCount through the shared budget ({@link EcsWrites#updateService}); within a step. A write that failed
     * but may have been applied leaves the count unknown ({@link CountBelief#writeUnknown}): no exit lowers from it
     * until ECS is read again.
     */
    private CompletableFuture<Void> changeDesired(int to) {
        return ctx.writes().updateService(pool, to).whenComplete((ok, failure) -> {
            synchronized (this) {
                if (failure == null) {
                    count.wrote(to, ctx.nanoTime());
                } else if (!EcsWrites.surelyNotApplied(failure)) {
                    count.writeUnknown(ctx.nanoTime());
                }
            }
        });
    }

    /**
     * Lowers the count to {@code target} for an exit recorded on its task whose UpdateService went unanswered, at most
     * once: ECS is read first, and the count is written only when it still stands where the exit decided from
     * ({@code target + 1}). Lower already: the write landed (or others lowered it), nothing is written. Higher: it was
     * raised since, and the decrement is given up (the count stays one too high until the next release takes it
     * down), never doubled; so too when the read and what coscale believes it wrote since disagree. The one window
     * left (ECS has no compare-and-set): the lost write landed and the count was raised by exactly one since. Only a
     * settled count is acted on: a read that may predate a write of unknown outcome fails with
     * {@link NotSettledException} (503, the worker retries).
     *
     * @return whether the count was written
     */
    CompletableFuture<Boolean> lowerOnce(int target) {
        long readAt = ctx.nanoTime();
        return ctx.service(pool).thenCompose(read -> {
            int believed;
            synchronized (this) {
                sameLease();
                count.read(read.desiredCount(), readAt);
                believed = count.value();
                if (!count.settled()) {
                    // The read may predate a write of unknown outcome (this exit's own, or a scale-up's since).
                    throw unknownCount();
                }
            }
            // Both must stand where the exit decided from: a read that may predate a count coscale wrote since (a
            // scale-up) is not enough, nor a belief that misses a write of its own whose answer was lost but landed.
            boolean stands = read.desiredCount() == target + 1 && believed == target + 1;
            return stands ? changeDesired(target).thenApply(written -> true) : CompletableFuture.completedFuture(false);
        });
    }

    /**
     * Makes sure the count is known well enough to act on: read from ECS when no reconcile has yet (start-up races a
     * first submission), or when it was read so soon after start-up that it may predate the last coscale's writes.
     */
    CompletableFuture<Void> knownCount() {
        synchronized (this) {
            sameLease();
            if (count.settled()) {
                return CompletableFuture.completedFuture(null);
            }
        }
        long readAt = ctx.nanoTime();
        return ctx.service(pool).thenAccept(read -> {
            synchronized (this) {
                count.read(read.desiredCount(), readAt);
                if (service == null) {
                    service = read;
                }
            }
        });
    }

    /** Records a failure as the pool's lastError and, when it differs from the last one, as an event. Never throws. */
    void failed(String what, Throwable e) {
        lastError.failed(what, e);
    }

    /** A reconcile pass went through: the last error is over. */
    void succeeded() {
        lastError.clear();
    }

    /** The pool's status as the controller knows it; the tasks' figures are put in by the caller. */
    synchronized PoolStatus status(int busy, int protectedTasks, Map<String, Integer> stopped,
            List<TaskStop> recentStops) {
        QueueDepth depth = backlog.lastRead();
        return new PoolStatus(pool.name(), pool.cluster(), pool.service(), pool.queueUrl(), pool.mode().wireName(),
                pool.minTasks(), pool.maxTasks(), pool.messagesPerTask(), count.value(),
                service == null ? 0 : service.runningCount(), service == null ? 0 : service.pendingCount(), null,
                new PoolStatus.Queue(depth.visible(), depth.inFlight(), depth.delayed()), null, busy, protectedTasks,
                lastReconcileAt, lastError.message(), null, stopped, recentStops);
    }
}
