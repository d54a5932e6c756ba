package io.coscale.control;

import io.coscale.aws.AwsCallException;
import io.coscale.aws.ServiceState;
import io.coscale.aws.TaskState;
import io.coscale.domain.Backlog;
import io.coscale.domain.CountBelief;
import io.coscale.domain.Event;
import io.coscale.domain.MessageGroups;
import io.coscale.domain.Pool;
import io.coscale.domain.QueueDepth;
import io.coscale.domain.ReconcileAction;
import io.coscale.domain.Reconciliation;
import io.coscale.domain.ReleaseDecision;
import io.coscale.domain.ReleasePolicy;
import io.coscale.domain.ScaleUpPacing;
import io.coscale.domain.ScalingPolicy;
import io.coscale.domain.TaskStop;
import io.coscale.domain.Words;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * One pool's control loop. Every change it makes to the pool's {@code desiredCount} — scale-up, release, reconcile
 * correction — is a step of the pool's {@link SerialSteps}: one at a time and in order, so each decision sees the
 * count the previous one left. A step that waits (for SQS, ECS or the UpdateService budget) holds no thread. Claims
 * are not steps: they change no count, so they never wait for another task's release (see {@link PoolTasks}).
 *
 * <p>Invariants: desiredCount is never set outside [minTasks, maxTasks] by coscale (scale-ups and corrections are
 * clamped by the domain rules; a release lowers by exactly one, and only above minTasks); in protect mode a task is
 * unprotected before the count is lowered for it; a task's exit lowers the count once however often it is released;
 * a stale ECS read never overrides a change coscale made itself ({@link CountBelief}).
 *
 * <p>Scale-ups are merged: a submission only counts the jobs SQS accepted and, if no flush is queued, queues one;
 * the flush computes the target from everything counted so far, paced by {@link ScaleUpPacing}. A failed scale-up is
 * re-queued with backoff: never dropped.
 */
public final class PoolController {

    private static final Logger LOG = Logger.getLogger(PoolController.class);

    private final Pool pool;
    private final ControlContext ctx;
    private final SerialSteps steps;
    private final EventLog events;
    private final PoolTasks tasks;
    private final ProtectionTakeover takeover;
    private final DelayedJobs delayedJobs;
    private final ScaleUpPacing pacing;
    /** The queue's depth as releases read it, with the submission mark taken just before each read. */
    private final ReadsAfter<MarkedDepth> depthReads;

    /** A depth read, and {@link #submissionMark()} just before it was asked for. */
    private record MarkedDepth(long mark, QueueDepth depth) {
    }

    // All @GuardedBy("this"). The count and the service change in steps only.
    /** When this replica began to act for the pool: its start-up, or its takeover of the lease. */
    private Instant startedAt;
    private CountBelief count;
    private final Backlog backlog = new Backlog();
    /** A FIFO pool's groups with work: it needs no more tasks than that. Unused for a standard queue. */
    private final MessageGroups groups = new MessageGroups();
    /** The service as last read: running and pending tasks, and its current task definition (others drain). */
    private ServiceState service;
    private Instant lastReconcileAt;
    private String lastError;
    // The merged scale-up.
    private boolean flushQueued;
    private long lastFlushNanos = Long.MIN_VALUE / 2;
    private long gapNanos;
    private int flushFailures;

    PoolController(Pool pool, ControlContext ctx) {
        this.pool = pool;
        this.ctx = ctx;
        this.steps = new SerialSteps(ctx.threads().steps());
        this.events = new EventLog(ctx.eventsPerPool());
        this.tasks = new PoolTasks(pool, ctx, events, this::currentDesired);
        this.takeover = new ProtectionTakeover(pool, tasks, e -> failed("take over protection", e));
        // One timer per second of due time, not per submission: delays reach 900 s at thousands of jobs a second.
        this.delayedJobs = new DelayedJobs((task, nanos) -> ctx.threads().timer().schedule(task, nanos, TimeUnit.NANOSECONDS),
                System::nanoTime, this::submitted);
        this.pacing = new ScaleUpPacing(ctx.scaleUpSpacing().toNanos(), ctx.scaleUpSpacingMax().toNanos());
        this.gapNanos = pacing.firstGapNanos();
        this.depthReads = new ReadsAfter<>(() -> {
            long mark = submissionMark();
            return ctx.depth(pool.queueUrl()).thenApply(depth -> new MarkedDepth(mark, depth));
        }, System::nanoTime);
        this.startedAt = ctx.clock().instant();  // before any other thread sees this object
        this.count = new CountBelief(System.nanoTime(), ctx.exitSettle().toNanos());
    }

    public Pool pool() {
        return pool;
    }

    public EventLog events() {
        return events;
    }

    /**
     * Counts {@code jobs} SQS has accepted and, when they need more tasks than are desired, queues a merged scale-up.
     * Never waits for ECS.
     *
     * @return the desiredCount the pool is heading for
     */
    public int submitted(int jobs) {
        return submitted(jobs, List.of());
    }

    /**
     * As {@link #submitted(int)}, for jobs of a FIFO queue, which name their message groups: the pool needs no more
     * tasks than there are groups with work.
     */
    public int submitted(int jobs, List<String> messageGroups) {
        boolean queueFlush;
        int heading;
        boolean leads = ctx.leadership().isLeader();
        synchronized (this) {
            backlog.accepted(jobs);
            messageGroups.forEach(groups::accepted);
            int target = ScalingPolicy.target(pool, outstanding());
            Integer desired = count.value();
            heading = desired == null ? target : Math.max(desired, target);
            queueFlush = leads && !flushQueued && (desired == null || target > desired);
            flushQueued |= queueFlush;
        }
        if (!leads && (jobs > 0 || !messageGroups.isEmpty())) {
            // Another replica writes ECS: it raises the count; this one only tells it.
            ctx.counts().forward(pool.name(), jobs, messageGroups);
        }
        if (queueFlush) {
            scheduleFlush(0);
        }
        return heading;
    }

    /**
     * Counts jobs SQS accepted with a delay: they need a task only once they become visible, so they are counted
     * then, at the latest one second after (see {@link DelayedJobs}). Returns the desiredCount the pool is heading for.
     */
    public int submittedDelayed(int jobs, Duration delay) {
        delayedJobs.add(jobs, delay);
        return submitted(0);
    }

    /** As {@link #claim(String, String)} for a task whose task definition is not known. */
    public CompletableFuture<ClaimResult> claim(String taskArn) {
        return claim(taskArn, null);
    }

    /**
     * A live task of this pool claims (before its first receive; later claims are heartbeats): in protect mode it is
     * protected until it is told to exit. The answer says drain for a task of an older deployment. Not a step: it
     * waits for nobody's release.
     *
     * @param taskDefinitionArn the task's task definition, as ECS reports it; null when not known
     */
    public CompletableFuture<ClaimResult> claim(String taskArn, String taskDefinitionArn) {
        return tasks.claim(taskArn, olderDeployment(taskDefinitionArn));
    }

    /** As {@link #release(TaskState)} for a task known only by its ARN. */
    public CompletableFuture<ReleaseDecision> release(String taskArn) {
        return release(taskArn, null);
    }

    /** As {@link #release(TaskState)} for a task known by its ARN and task definition. */
    public CompletableFuture<ReleaseDecision> release(String taskArn, String taskDefinitionArn) {
        long asked = System.nanoTime();
        return steps.submit(() -> releaseStep(taskArn, olderDeployment(taskDefinitionArn), null, asked));
    }

    /**
     * Decides what a worker that found the queue empty does next, and acts on it: exit (unprotect, then the count
     * −1; a task of an older deployment exits with the count kept), continue or stay.
     */
    public CompletableFuture<ReleaseDecision> release(TaskState task) {
        long asked = System.nanoTime();
        return steps.submit(() -> releaseStep(task.taskArn(), olderDeployment(task.taskDefinitionArn()), task.exitRecord(),
                asked));
    }

    /**
     * Whether a task runs another task definition than the service's current one, as last read from ECS. A stale
     * read can only make a task of the new deployment look old: it then exits and ECS replaces it, which is safe.
     */
    private synchronized boolean olderDeployment(String taskDefinitionArn) {
        return taskDefinitionArn != null && service != null && service.taskDefinition() != null
                && !taskDefinitionArn.equals(service.taskDefinition());
    }

    /**
     * Brings the pool toward its target given ECS's and SQS's word: the reconciler's step for this pool.
     *
     * @param observedAtNanos {@link System#nanoTime()} just before {@code service} was read
     * @param submissionMark {@link #submissionMark()} just before {@code observed} was read
     */
    public CompletableFuture<Void> reconcile(ServiceState service, QueueDepth observed, long observedAtNanos,
            long submissionMark) {
        return steps.submit(() -> reconcileStep(service, observed, observedAtNanos, submissionMark));
    }

    /**
     * @param askedNanos when the release came in: the queue's depth it decides on was read after that. Releases
     *        queued behind one another share that read (see {@link ReadsAfter}), so that a pool's releases wait for
     *        one SQS round trip together, not one each in turn.
     */
    private CompletableFuture<ReleaseDecision> releaseStep(String taskArn, boolean olderDeployment, String exitRecord,
            long askedNanos) {
        ReleaseDecision earlier = tasks.earlierExit(taskArn);
        if (earlier != null) {
            return CompletableFuture.completedFuture(earlier);
        }
        if (exitRecord != null) {
            // Told to exit by a coscale that is gone (killed before the worker had its answer): the same exit again,
            // and the count is not lowered twice.
            ReleaseDecision replay = ReleaseDecision.replay(exitRecord);
            tasks.exited(taskArn, replay);
            return CompletableFuture.completedFuture(replay);
        }
        return depthReads.after(askedNanos)
                .thenCombine(knownCount(), (fresh, known) -> fresh)
                .thenCompose(fresh -> act(taskArn, olderDeployment, fresh.depth(), fresh.mark()));
    }

    private CompletableFuture<ReleaseDecision> act(String taskArn, boolean olderDeployment, QueueDepth fresh, long mark) {
        ReleaseDecision decision;
        int from;
        synchronized (this) {
            observeQueue(fresh, mark, ctx.clock().instant());
            from = count.value();
            // Jobs accepted while SQS was being asked may be missing from its answer: work arrived meanwhile.
            decision = ReleasePolicy.decide(pool, from, fresh, backlog.acceptedSince(mark), olderDeployment);
        }
        ctx.metrics().releaseDecision(pool.name(), decision.kind());
        if (decision.kind() != ReleaseDecision.Kind.EXIT) {
            // Warm capacity keeps its protection: an unprotected idle task would be the next scale-in's victim as
            // readily as a busy one that has not yet claimed again.
            tasks.idle(taskArn);
            return CompletableFuture.completedFuture(decision);
        }
        if (decision.lowersCount()) {
            settled();
        }
        tasks.beginExit(taskArn);
        // Unprotect first: once the count is lower ECS may stop any unprotected task, and this one must be one. A
        // drained task is unprotected too, so that its deployment may replace it.
        CompletableFuture<Void> done = tasks.unprotect(taskArn);
        if (decision.lowersCount()) {
            // The record before the decrement: a crash between the two loses a decrement (the count stays one too
            // high, and the next release takes it down), never doubles one.
            done = done.thenCompose(unprotected -> ctx.recordExit(taskArn, decision.desiredCount()))
                    .thenCompose(recorded -> changeDesired(decision.desiredCount())).thenRun(this::recheckScaleUp);
        }
        return done.handle((ok, e) -> {
            if (e != null) {
                tasks.abandonExit(taskArn);
                throw Futures.unchecked(e);
            }
            tasks.exited(taskArn, decision);
            events.add(Event.release(ctx.clock().instant(), from, decision.desiredCount(), decision.reason()));
            return decision;
        });
    }

    private CompletableFuture<Void> reconcileStep(ServiceState observedService, QueueDepth observed, long observedAtNanos,
            long submissionMark) {
        Reconciliation.Observation observation;
        boolean mayLower;
        synchronized (this) {
            Instant now = ctx.clock().instant();
            count.read(observedService.desiredCount(), observedAtNanos);
            service = observedService;
            observeQueue(observed, submissionMark, now);
            lastReconcileAt = now;
            observation = new Reconciliation.Observation(count.value(), observedService.runningCount(),
                    observedService.pendingCount(), backlog.depth(), backlog.emptyFor(now), tasks.busyCount(),
                    groups.limit(Long.MAX_VALUE));
            mayLower = count.settled();
        }
        ReconcileAction action = Reconciliation.decide(pool, observation);
        CompletableFuture<Void> done = CompletableFuture.completedFuture(null);
        int to = action.desiredCount().orElse(observation.desiredCount());
        // A count read before ECS settled after a restart may be older than what the coscale before wrote: raise it,
        // but never lower from it.
        if (action.changes() && (to > observation.desiredCount() || mayLower)) {
            done = changeDesired(to).thenRun(() -> {
                recheckScaleUp();
                events.add(Event.reconcile(ctx.clock().instant(), observation.desiredCount(), to, action.reason()));
            });
        }
        takeover.startIfDue();
        return done.thenCompose(changed -> tasks.forgetStopped(observedService)).thenRun(() -> {
            synchronized (this) {
                lastError = null;
            }
        });
    }

    /**
     * This replica has just taken the lease over: what it knew of the pool may be older than what the last leader
     * did. As after a start-up, the count is read again and not lowered for {@code exitSettle}, and the protection ECS
     * holds is taken over again from the next reconcile on. A step, so that it never lands in the middle of another.
     */
    public CompletableFuture<Void> takeOver() {
        return steps.submit(() -> {
            synchronized (this) {
                startedAt = ctx.clock().instant();
                count = new CountBelief(System.nanoTime(), ctx.exitSettle().toNanos());
            }
            takeover.restart();
            return CompletableFuture.completedFuture(null);
        });
    }

    /**
     * Whether the pool has taken over the protection ECS held for its tasks when this replica started or took the lease
     * over (always, in cooperative mode).
     */
    public boolean protectionTakenOver() {
        return takeover.done();
    }

    /**
     * Whether this replica leads and has still to take over the protection ECS holds for the pool's tasks: until it
     * has, that protection is not renewed. A replica that does not lead has nothing to take over until it does.
     */
    boolean protectionTakeoverPending() {
        return ctx.leadership().isLeader() && !protectionTakenOver();
    }

    /** Renews protection that lapses soon; on its own schedule, not the reconcile's, and not a step: no count changes. */
    public CompletableFuture<Void> renewProtection() {
        return Futures.start(() -> {
            tasks.renewExpiring();
            return CompletableFuture.completedFuture(null);
        });
    }

    /**
     * How many jobs have been accepted so far. Take it just before reading the queue's depth (see {@link Backlog}).
     */
    public synchronized long submissionMark() {
        return backlog.mark();
    }

    /** Takes in a queue depth read after {@code mark}. Called with the lock held. */
    private void observeQueue(QueueDepth observed, long mark, Instant now) {
        if (backlog.observe(observed, mark, now) && observed.isEmpty() && backlog.acceptedSince(mark) == 0) {
            groups.clear();
        }
    }

    /**
     * After a lowering: jobs submitted while it was in flight found the old, higher count and queued no scale-up;
     * now that the count is lower they may need one, so it is queued here rather than left to the next reconcile.
     */
    private void recheckScaleUp() {
        submitted(0);
    }

    /** Sets desiredCount through the shared budget; within a step. */
    private CompletableFuture<Void> changeDesired(int to) {
        return ctx.updateService(pool, to).thenRun(() -> {
            synchronized (this) {
                count.wrote(to, System.nanoTime());
            }
        });
    }

    /**
     * Refuses (the worker retries) to lower a count until {@code exitSettle} has passed since start-up: ECS reads
     * just after a restart may not yet show what the killed coscale recorded or set.
     */
    private void settled() {
        Duration since;
        synchronized (this) {
            since = Duration.between(startedAt, ctx.clock().instant());
        }
        if (since.compareTo(ctx.exitSettle()) < 0 || !countSettled()) {
            throw new AwsCallException("coscale started " + since.toMillis() + " ms ago; it lowers counts once ECS "
                    + "reads have settled (" + ctx.exitSettle().toMillis() + " ms)", true, false, "Settling", null);
        }
    }

    private synchronized boolean countSettled() {
        return count.settled();
    }

    /**
     * Makes sure the count is known well enough to act on: read from ECS when no reconcile has yet (start-up races a
     * first submission), or when it was read so soon after start-up that it may predate the last coscale's writes.
     */
    private CompletableFuture<Void> knownCount() {
        synchronized (this) {
            if (count.settled()) {
                return CompletableFuture.completedFuture(null);
            }
        }
        long readAt = System.nanoTime();
        return ctx.ecsRead(ecs -> ecs.describeServices(pool.cluster(), List.of(pool.service()))).thenAccept(found -> {
            ServiceState read = found.stream().findFirst().orElseThrow(() -> new AwsCallException("service "
                    + pool.service() + " not found in cluster " + pool.cluster(), false, false, "ServiceNotFoundException", null));
            synchronized (this) {
                count.read(read.desiredCount(), readAt);
                if (service == null) {
                    service = read;
                }
            }
        });
    }

    private void scheduleFlush(long backoffMillis) {
        long delayNanos;
        synchronized (this) {
            ScaleUpPacing.Next next = pacing.next(System.nanoTime(), lastFlushNanos, gapNanos);
            gapNanos = next.gapNanos();
            delayNanos = next.waitNanos() + TimeUnit.MILLISECONDS.toNanos(backoffMillis);
        }
        if (delayNanos == 0) {
            steps.submit(this::flush);
        } else {
            ctx.threads().timer().schedule(() -> steps.submit(this::flush), delayNanos, TimeUnit.NANOSECONDS);
        }
    }

    /** The merged scale-up: a step. */
    private CompletableFuture<Void> flush() {
        return knownCount().thenCompose(known -> {
            OptionalInt target;
            int from;
            long outstanding;
            synchronized (this) {
                flushQueued = false;
                from = count.value();
                outstanding = outstanding();
                target = ScalingPolicy.scaleUp(pool, from, outstanding);
                if (target.isEmpty()) {
                    return CompletableFuture.<Void>completedFuture(null);
                }
                lastFlushNanos = System.nanoTime();
            }
            return changeDesired(target.getAsInt()).thenRun(() -> {
                synchronized (this) {
                    flushFailures = 0;
                }
                events.add(Event.scaleUp(ctx.clock().instant(), from, target.getAsInt(),
                        Words.count(outstanding, "job") + " outstanding"));
            });
        }).exceptionally(e -> {
            int failures;
            synchronized (this) {
                failures = ++flushFailures;
                flushQueued = true;
            }
            failed("scale-up", Futures.cause(e));
            scheduleFlush(ControlContext.SCALE_UP_RETRIES.delayMillis(failures));
            return null;
        });
    }

    /**
     * Jobs that need or hold a task: in-flight messages count only as far as busy tasks can hold them, jobs accepted
     * since the last read count on top, and a FIFO pool counts no more than its groups with work. Called with the
     * lock held.
     */
    private long outstanding() {
        return groups.limit(backlog.outstanding((long) tasks.busyCount() * pool.messagesPerTask()));
    }

    /** Jobs accepted with a delay that has not ended yet (see {@link DelayedJobs}). */
    long delayedJobs() {
        return delayedJobs.pendingJobs();
    }

    synchronized Integer currentDesired() {
        return count.value();
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

    /** The pool's status as the API shows it. */
    public PoolStatus status() {
        int busy = tasks.busyCount();
        int protectedTasks = tasks.protectedCount();
        Map<String, Integer> stopped = tasks.stopsByCode();
        List<TaskStop> recentStops = stopped.isEmpty() ? List.of() : tasks.lastStops();
        synchronized (this) {
            QueueDepth depth = backlog.lastRead();
            return new PoolStatus(pool.name(), pool.cluster(), pool.service(), pool.queueUrl(), pool.mode().wireName(),
                    pool.minTasks(), pool.maxTasks(), pool.messagesPerTask(), count.value(),
                    service == null ? 0 : service.runningCount(), service == null ? 0 : service.pendingCount(), null,
                    new PoolStatus.Queue(depth.visible(), depth.inFlight(), depth.delayed()), null, busy, protectedTasks,
                    lastReconcileAt, lastError, null, stopped, recentStops);
        }
    }
}
