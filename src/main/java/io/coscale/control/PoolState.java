package io.coscale.control;

import io.coscale.aws.AwsCallException;
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
import java.util.function.IntSupplier;
import org.jboss.logging.Logger;

/**
 * What one pool's controller knows, under one lock: the count as coscale believes it ({@link CountBelief}), the
 * backlog and a FIFO queue's groups with work, the service as last read, when this replica began to act for the pool,
 * and the last error. The pool's scale-up ({@link ScaleUp}) and release ({@link Release}) are handed this state; they
 * change the count only in the pool's steps.
 *
 * <p>The lock is this object's; {@link ScaleUp} keeps its own few fields under it too, so that counting a submission
 * and deciding to queue a flush are one step for other threads.
 *
 * <p>It decides a release ({@link #decideRelease}, on a depth read for it) and makes the two ECS calls the count is
 * kept by: {@link #changeDesired} (UpdateService) and {@link #knownCount} (DescribeServices while the count is not
 * settled); a release's own UpdateService it takes in ({@link #written}).
 */
final class PoolState {

    private static final Logger LOG = Logger.getLogger(PoolState.class);

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
    private final Backlog backlog = new Backlog();
    /** A FIFO pool's groups with work: it needs no more tasks than that. Unused for a standard queue. */
    private final MessageGroups groups = new MessageGroups();
    /** The service as last read: running and pending tasks, and its PRIMARY deployment (others' tasks drain). */
    private ServiceState service;
    private Instant lastReconcileAt;
    private String lastError;

    PoolState(Pool pool, ControlContext ctx, EventLog events, IntSupplier busyTasks) {
        this.pool = pool;
        this.ctx = ctx;
        this.events = events;
        this.busyTasks = busyTasks;
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

    /** What {@link #accept} found: the scale-up target, and the count it compares with (null: not yet known). */
    record Accepted(int target, Integer desired) {

        /** The desiredCount the pool is heading for. */
        int heading() {
            return desired == null ? target : Math.max(desired, target);
        }

        /** Whether the jobs counted so far need more tasks than are desired (or the count is not known). */
        boolean needsMore() {
            return desired == null || target > desired;
        }
    }

    /** Counts jobs SQS accepted (and a FIFO queue's groups they were sent to). */
    synchronized Accepted accept(int jobs, List<String> messageGroups) {
        backlog.accepted(jobs);
        messageGroups.forEach(groups::accepted);
        return new Accepted(ScalingPolicy.target(pool, outstanding()), count.value());
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

    /** A release's decision, and the count it was made from. */
    record Decided(ReleaseDecision decision, int from) {
    }

    /**
     * A release's decision ({@link ReleasePolicy}) on the queue's depth read after {@code askedNanos} (releases queued
     * behind one another share one read: {@link ReadsAfter}), once the count is known ({@link #knownCount}, read from
     * ECS meanwhile when it is not); jobs accepted since the read's mark count as work. An exit that lowers the count
     * fails with {@link NotSettledException} while counts may not be lowered ({@link #checkSettled}).
     *
     * @param startedBy the task's {@code startedBy}: a task of an older deployment exits without lowering
     */
    CompletableFuture<Decided> decideRelease(long askedNanos, String startedBy) {
        boolean olderDeployment = olderDeployment(startedBy);
        return depthReads.after(askedNanos).thenCombine(knownCount(), (read, known) -> read).thenApply(read -> {
            Decided decided;
            synchronized (this) {
                observeQueue(read.depth(), read.mark(), ctx.clock().instant());
                // Jobs accepted while SQS was being asked may be missing from its answer: work arrived meanwhile.
                decided = new Decided(ReleasePolicy.decide(pool, count.value(), read.depth(),
                        backlog.acceptedSince(read.mark()), olderDeployment, service == null ? 0 : service.runningCount()),
                        count.value());
            }
            ctx.metrics().releaseDecision(pool.name(), decided.decision().kind());
            if (decided.decision().lowersCount()) {
                checkSettled();
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
        return new Reconciliation.Observation(count.value(), observed.runningCount(), observed.pendingCount(),
                backlog.depth(), backlog.emptyFor(now), busyTasks.getAsInt(), groups.limit(Long.MAX_VALUE));
    }

    /**
     * Whether a task was started by another deployment than the service's PRIMARY one, as last read from ECS: a new
     * task definition or a forced deployment with the same one. A stale read can only make a task of the new
     * deployment look old: it then exits and ECS replaces it, which is safe.
     *
     * @param startedBy the task's {@code startedBy}, the id of the deployment that started it; null when not known
     */
    synchronized boolean olderDeployment(String startedBy) {
        return startedBy != null && service != null && service.primaryDeployment() != null
                && !startedBy.equals(service.primaryDeployment());
    }

    synchronized Integer desired() {
        return count.value();
    }

    /** Whether the count may be lowered from: not read so soon after start-up that it may predate the last writes. */
    synchronized boolean countSettled() {
        sameLease();
        return count.settled();
    }

    /**
     * Refuses (the worker retries) to lower a count until {@code exitSettle} has passed since start-up, and while the
     * count is not settled: ECS reads just after a restart may not yet show what the killed coscale recorded or set,
     * nor reads just after a write of unknown outcome that write.
     */
    private void checkSettled() {
        Duration since;
        boolean settled;
        synchronized (this) {
            settled = countSettled();
            since = Duration.between(startedAt, ctx.clock().instant());
        }
        if (since.compareTo(ctx.exitSettle()) < 0) {
            throw new NotSettledException("coscale started " + since.toMillis() + " ms ago; it lowers counts once ECS "
                    + "reads have settled (" + ctx.exitSettle().toMillis() + " ms)");
        }
        if (!settled) {
            throw unknownCount();
        }
    }

    private NotSettledException unknownCount() {
        return new NotSettledException("desiredCount is not known: an UpdateService went unanswered; coscale lowers "
                + "counts again once an ECS read made " + ctx.exitSettle().toMillis() + " ms after it shows the count");
    }

    /**
     * Sets desiredCount through the shared budget ({@link EcsWrites#updateService}); within a step. Its outcome is
     * taken in as {@link #written} says.
     */
    CompletableFuture<Void> changeDesired(int to) {
        return ctx.writes().updateService(pool, to).whenComplete((ok, e) -> written(to, e));
    }

    /**
     * Takes in the outcome of an UpdateService to {@code to} ({@code failure} null when ECS confirmed it). A write that
     * failed but may have been applied leaves the count unknown ({@link CountBelief#writeUnknown}): no exit lowers from
     * it until ECS is read again.
     */
    synchronized void written(int to, Throwable failure) {
        if (failure == null) {
            count.wrote(to, ctx.nanoTime());
        } else if (!EcsWrites.surelyNotApplied(failure)) {
            count.writeUnknown(ctx.nanoTime());
        }
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
        return readService().thenCompose(read -> {
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
        if (countSettled()) {
            return CompletableFuture.completedFuture(null);
        }
        long readAt = ctx.nanoTime();
        return readService().thenAccept(read -> {
            synchronized (this) {
                count.read(read.desiredCount(), readAt);
                if (service == null) {
                    service = read;
                }
            }
        });
    }

    /** The pool's service as DescribeServices shows it now. */
    private CompletableFuture<ServiceState> readService() {
        return ctx.ecsRead(ecs -> ecs.describeServices(pool.cluster(), List.of(pool.service()))).thenApply(found -> found
                .stream().findFirst().orElseThrow(() -> new AwsCallException("service " + pool.service()
                        + " not found in cluster " + pool.cluster(), false, false, "ServiceNotFoundException", null)));
    }

    /** Records a failure as the pool's lastError and, when it differs from the last one, as an event. Never throws. */
    void failed(String what, Throwable e) {
        ctx.metrics().poolFailed(pool.name(), what);
        Throwable cause = Futures.cause(e);
        String message = what + ": " + (cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage());
        boolean isNew;
        synchronized (this) {
            isNew = !message.equals(lastError);
            lastError = message;
        }
        if (isNew) {
            LOG.warnf("pool %s: %s", pool.name(), message);
            events.add(Event.error(ctx.clock().instant(), message));
        }
    }

    /** A reconcile pass went through: the last error is over. */
    synchronized void succeeded() {
        lastError = null;
    }

    /** The pool's status as the controller knows it; the tasks' figures are put in by the caller. */
    synchronized PoolStatus status(int busy, int protectedTasks, Map<String, Integer> stopped,
            List<TaskStop> recentStops) {
        QueueDepth depth = backlog.lastRead();
        return new PoolStatus(pool.name(), pool.cluster(), pool.service(), pool.queueUrl(), pool.mode().wireName(),
                pool.minTasks(), pool.maxTasks(), pool.messagesPerTask(), count.value(),
                service == null ? 0 : service.runningCount(), service == null ? 0 : service.pendingCount(), null,
                new PoolStatus.Queue(depth.visible(), depth.inFlight(), depth.delayed()), null, busy, protectedTasks,
                lastReconcileAt, lastError, null, stopped, recentStops);
    }
}
