package io.coscale.control;

import io.coscale.aws.AwsCallException;
import io.coscale.aws.ServiceState;
import io.coscale.aws.TaskState;
import io.coscale.domain.Event;
import io.coscale.domain.Mode;
import io.coscale.domain.Pool;
import io.coscale.domain.QueueDepth;
import io.coscale.domain.ReconcileAction;
import io.coscale.domain.Reconciliation;
import io.coscale.domain.ReleaseDecision;
import io.coscale.domain.ReleasePolicy;
import io.coscale.domain.ScalingPolicy;
import io.coscale.domain.Words;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * One pool's control loop. Every change it makes to the pool's ECS service — scale-up, release, protection,
 * reconcile correction — runs on the pool's {@link SerialExecutor}, one at a time and in order, so each
 * decision sees the desiredCount the previous one left. coscale is the only writer of that count.
 *
 * <p>Invariants: desiredCount is never set outside [minTasks, maxTasks] by coscale (scale-ups and
 * corrections are clamped by the domain rules; a release lowers by exactly one, and only above minTasks);
 * in protect mode a task is unprotected before the count is lowered for it; a task's exit lowers the count
 * once however often it is released.
 *
 * <p>Scale-ups are merged: a submission only counts the jobs SQS accepted and, if no flush is queued,
 * queues one; the flush computes the target from everything counted so far. Submissions that arrive while
 * an UpdateService call is in flight are thus merged into the next call, which goes out no sooner than the
 * current spacing after the previous one. The spacing starts at {@code scaleUpSpacing} and doubles while a
 * burst goes on (up to {@code scaleUpSpacingMax}), so a long burst costs a handful of calls whatever its
 * rate; ECS takes far longer than that to start the tasks anyway. A failed scale-up is re-queued with
 * backoff: never dropped.
 */
public final class PoolController {

    private static final Logger LOG = Logger.getLogger(PoolController.class);

    private final Pool pool;
    private final ControlContext ctx;
    private final SerialExecutor serial;
    private final EventLog events;
    private final PoolTasks tasks;
    private final Instant startedAt;
    private final DelayedJobs delayedJobs;

    // All @GuardedBy("this"). desired and the observations change on the serial executor only.
    private Integer desired;
    private int running;
    private int pending;
    /** The service's current task definition, as last read: tasks of another one drain. */
    private String primaryTaskDefinition;
    private QueueDepth depth = QueueDepth.EMPTY;
    private Instant queueEmptySince;
    /** Jobs accepted since start; {@code countedAtObservation} is its value just before {@code depth} was read. */
    private long submittedTotal;
    private long countedAtObservation;
    private boolean flushQueued;
    private long lastFlushNanos = Long.MIN_VALUE / 2;
    private long spacingNanos;
    private long lastChangeNanos = Long.MIN_VALUE / 2;
    private int flushFailures;
    private Instant lastReconcileAt;
    private String lastError;
    /** Whether the protection ECS holds for this pool's tasks was taken over (once, at the first reconcile). */
    private boolean protectionAdopted;

    PoolController(Pool pool, ControlContext ctx) {
        this.pool = pool;
        this.ctx = ctx;
        this.serial = new SerialExecutor("pool-" + pool.name(), ctx.executor());
        this.events = new EventLog(ctx.eventsPerPool());
        this.tasks = new PoolTasks(pool, ctx, events);
        // One timer per second of due time, not per submission: delays reach 900 s at thousands of jobs a second.
        this.delayedJobs = new DelayedJobs((task, nanos) -> ctx.timer().schedule(task, nanos, TimeUnit.NANOSECONDS),
                System::nanoTime, this::submitted);
        this.spacingNanos = ctx.scaleUpSpacing().toNanos();
        this.startedAt = ctx.clock().instant();
    }

    public Pool pool() {
        return pool;
    }

    public EventLog events() {
        return events;
    }

    /**
     * Counts {@code count} jobs SQS has accepted and, when they need more tasks than are desired, queues a
     * merged scale-up. Never waits for ECS.
     *
     * @return the desiredCount the pool is heading for
     */
    public int submitted(int count) {
        boolean queueFlush;
        int heading;
        synchronized (this) {
            submittedTotal += count;
            int target = ScalingPolicy.target(pool, outstanding());
            heading = desired == null ? target : Math.max(desired, target);
            queueFlush = !flushQueued && (desired == null || target > desired);
            flushQueued |= queueFlush;
        }
        if (queueFlush) {
            scheduleFlush(0);
        }
        return heading;
    }

    /**
     * Counts jobs SQS accepted with a delay: they need a task only once they become visible, so they are
     * counted then, at the latest one second after (see {@link DelayedJobs}). Returns the desiredCount the pool
     * is heading for now.
     */
    public int submittedDelayed(int count, Duration delay) {
        delayedJobs.add(count, delay);
        return submitted(0);
    }

    /** As {@link #claim(String, String)} for a task whose task definition is not known. */
    public CompletableFuture<ClaimResult> claim(String taskArn) {
        return claim(taskArn, null);
    }

    /**
     * A live task of this pool claims (before its first receive; later claims are heartbeats): in protect mode it
     * is protected until it is told to exit. The answer says drain for a task of an older deployment.
     *
     * @param taskDefinitionArn the task's task definition, as ECS reports it; null when not known
     */
    public CompletableFuture<ClaimResult> claim(String taskArn, String taskDefinitionArn) {
        return onSerial(() -> tasks.claim(taskArn, olderDeployment(taskDefinitionArn))).thenCompose(claimed -> claimed);
    }

    /** As {@link #release(TaskState)} for a task known only by its ARN. */
    public CompletableFuture<ReleaseDecision> release(String taskArn) {
        return release(taskArn, null);
    }

    /** As {@link #release(TaskState)} for a task known by its ARN and task definition. */
    public CompletableFuture<ReleaseDecision> release(String taskArn, String taskDefinitionArn) {
        return onSerial(() -> releaseNow(taskArn, olderDeployment(taskDefinitionArn), null));
    }

    /**
     * Decides what a worker that found the queue empty does next, and acts on it: exit (unprotect, then the
     * count −1; a task of an older deployment exits with the count kept), continue or stay.
     */
    public CompletableFuture<ReleaseDecision> release(TaskState task) {
        return onSerial(() -> releaseNow(task.taskArn(), olderDeployment(task.taskDefinitionArn()), task.exitRecord()));
    }

    /**
     * Whether a task runs another task definition than the service's current one, as last read from ECS. A stale
     * read can only make a task of the new deployment look old: it then exits and ECS replaces it, which is safe.
     */
    private synchronized boolean olderDeployment(String taskDefinitionArn) {
        return taskDefinitionArn != null && primaryTaskDefinition != null
                && !taskDefinitionArn.equals(primaryTaskDefinition);
    }

    /**
     * Brings the pool toward its target given ECS's and SQS's word: the reconciler's step for this pool.
     *
     * @param observedAtNanos {@link System#nanoTime()} just before {@code service} was read; a change coscale
     *        made after that instant makes the observed desiredCount stale, and coscale's own value is kept
     * @param submissionMark {@link #submissionMark()} just before {@code observed} was read
     */
    public CompletableFuture<Void> reconcile(ServiceState service, QueueDepth observed, long observedAtNanos,
            long submissionMark) {
        return onSerial(() -> {
            reconcileNow(service, observed, observedAtNanos, submissionMark);
            return null;
        });
    }

    private ReleaseDecision releaseNow(String taskArn, boolean olderDeployment, String exitRecord)
            throws InterruptedException {
        ReleaseDecision earlier = tasks.earlierExit(taskArn);
        if (earlier != null) {
            return earlier;
        }
        if (exitRecord != null) {
            // Told to exit by a coscale that is gone (killed before the worker had its answer): the same exit again,
            // and the count is not lowered twice.
            ReleaseDecision replay = ReleaseDecision.replay(exitRecord);
            tasks.exited(taskArn, replay);
            return replay;
        }
        long mark = submissionMark();
        QueueDepth fresh = ctx.queue().depth(pool.queueUrl());
        ensureDesiredKnown();
        ReleaseDecision decision;
        synchronized (this) {
            observeQueue(fresh, mark);
            // Jobs accepted while SQS was being asked may be missing from its answer: work arrived meanwhile.
            decision = ReleasePolicy.decide(pool, desired, fresh, submittedTotal - mark, olderDeployment);
        }
        switch (decision.kind()) {
            // Warm capacity keeps its protection: an unprotected idle task would be the next scale-in's victim as
            // readily as a busy one that has not yet claimed again.
            case STAY, CONTINUE -> tasks.idle(taskArn);
            case EXIT -> {
                if (decision.lowersCount()) {
                    settled();
                }
                // Unprotect first: once the count is lower ECS may stop any unprotected task, and this one must be one.
                // A drained task is unprotected too, so that its deployment may replace it.
                tasks.unprotectNow(taskArn);
                int from = currentDesired();
                if (decision.lowersCount()) {
                    // The record before the decrement: a crash between the two loses a decrement (the count stays one
                    // too high, and the next release takes it down), never doubles one.
                    ctx.ecs().recordExit(taskArn, decision.desiredCount());
                    changeDesired(decision.desiredCount());
                    recheckScaleUp();
                }
                tasks.exited(taskArn, decision);
                events.add(Event.release(ctx.clock().instant(), from, decision.desiredCount(), decision.reason()));
            }
        }
        ctx.metrics().releaseDecision(pool.name(), decision.kind());
        return decision;
    }

    private void reconcileNow(ServiceState service, QueueDepth observed, long observedAtNanos, long submissionMark)
            throws InterruptedException {
        Reconciliation.Observation observation;
        synchronized (this) {
            // The read happened off the serial executor: a release or scale-up may have landed since. As the
            // only writer, coscale then knows better than the snapshot; overwriting would undo that change.
            if (desired == null || observedAtNanos - lastChangeNanos > 0) {
                desired = service.desiredCount();
            }
            primaryTaskDefinition = service.taskDefinition();
            running = service.runningCount();
            pending = service.pendingCount();
            observeQueue(observed, submissionMark);
            lastReconcileAt = ctx.clock().instant();
            Duration emptyFor = queueEmptySince == null ? Duration.ZERO : Duration.between(queueEmptySince, lastReconcileAt);
            observation = new Reconciliation.Observation(desired, running, pending, observed, emptyFor,
                    tasks.busyCount());
        }
        ReconcileAction action = Reconciliation.decide(pool, observation);
        if (action.changes()) {
            changeDesired(action.desiredCount().getAsInt());
            recheckScaleUp();
            events.add(Event.reconcile(ctx.clock().instant(), observation.desiredCount(), action.desiredCount().getAsInt(), action.reason()));
        }
        if (!protectionAdopted && pool.mode() == Mode.PROTECT) {
            tasks.adoptProtection();
            protectionAdopted = true;
        }
        tasks.forgetStopped();
        synchronized (this) {
            lastError = null;
        }
    }

    /** Renews protection that lapses soon, on the pool's serial executor; its own schedule, not the reconcile's. */
    public CompletableFuture<Void> renewProtection() {
        return onSerial(() -> {
            tasks.renewExpiring();
            return null;
        });
    }

    /**
     * How many jobs have been accepted so far. Take it just before reading the queue's depth: every job counted
     * by then is in SQS, so in the depth read after it; jobs counted later may not be, and stay counted on top.
     */
    public synchronized long submissionMark() {
        return submittedTotal;
    }

    /** Records a queue depth read after {@code mark} was taken. Called with the lock held. */
    private void observeQueue(QueueDepth observed, long mark) {
        if (mark < countedAtObservation) {
            return; // read before a newer observation that is already in: older news
        }
        depth = observed;
        countedAtObservation = mark;
        if (!observed.isEmpty()) {
            queueEmptySince = null;
        } else if (queueEmptySince == null) {
            queueEmptySince = ctx.clock().instant();
        }
    }

    /**
     * After a lowering: jobs submitted while it was in flight found the old, higher count and queued no scale-up;
     * now that the count is lower they may need one, so it is queued here rather than left to the next reconcile.
     */
    private void recheckScaleUp() {
        submitted(0);
    }

    /** Sets desiredCount through the shared budget; on the serial executor. */
    private void changeDesired(int to) throws InterruptedException {
        ctx.updateService(pool, to);
        synchronized (this) {
            desired = to;
            lastChangeNanos = System.nanoTime();
        }
    }

    /**
     * Refuses (the worker retries) to lower a count until {@code exitSettle} has passed since start-up: ECS reads
     * just after a restart may not yet show what the killed coscale recorded or set.
     */
    private void settled() {
        Duration since = Duration.between(startedAt, ctx.clock().instant());
        if (since.compareTo(ctx.exitSettle()) < 0) {
            throw new AwsCallException("coscale started " + since.toMillis() + " ms ago; it lowers counts once ECS "
                    + "reads have settled (" + ctx.exitSettle().toMillis() + " ms)", true, false, "Settling", null);
        }
    }

    /** Learns desiredCount from ECS when no reconcile has yet (start-up races a first submission). */
    private void ensureDesiredKnown() {
        if (currentDesired() != null) {
            return;
        }
        ServiceState service = ctx.ecs().describeServices(pool.cluster(), List.of(pool.service())).stream().findFirst()
                .orElseThrow(() -> new AwsCallException("service " + pool.service() + " not found in cluster "
                        + pool.cluster(), false, false, "ServiceNotFoundException", null));
        synchronized (this) {
            if (desired == null) {
                desired = service.desiredCount();
                running = service.runningCount();
                pending = service.pendingCount();
                primaryTaskDefinition = service.taskDefinition();
            }
        }
    }

    private void scheduleFlush(long backoffMillis) {
        long delayNanos;
        synchronized (this) {
            long wait = Math.max(spacingNanos - (System.nanoTime() - lastFlushNanos), 0);
            // Work that has to wait for the gap means a burst goes on: the next gap is twice as wide. Work that
            // finds the gap already over comes after a quiet spell: back to the first, short gap.
            spacingNanos = wait > 0 ? Math.min(2 * spacingNanos, ctx.scaleUpSpacingMax().toNanos())
                    : ctx.scaleUpSpacing().toNanos();
            delayNanos = wait + TimeUnit.MILLISECONDS.toNanos(backoffMillis);
        }
        if (delayNanos == 0) {
            serial.execute(this::flush);
        } else {
            ctx.timer().schedule(() -> serial.execute(this::flush), delayNanos, TimeUnit.NANOSECONDS);
        }
    }

    /** The merged scale-up, on the serial executor. */
    private void flush() {
        try {
            ensureDesiredKnown();
            OptionalInt target;
            int from;
            long outstanding;
            synchronized (this) {
                flushQueued = false;
                from = desired;
                outstanding = outstanding();
                target = ScalingPolicy.scaleUp(pool, desired, outstanding);
                if (target.isEmpty()) {
                    return;
                }
                lastFlushNanos = System.nanoTime();
            }
            changeDesired(target.getAsInt());
            synchronized (this) {
                flushFailures = 0;
            }
            events.add(Event.scaleUp(ctx.clock().instant(), from, target.getAsInt(), Words.count(outstanding, "job") + " outstanding"));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            int failures;
            synchronized (this) {
                failures = ++flushFailures;
                flushQueued = true;
            }
            failed("scale-up", e);
            scheduleFlush(ControlContext.SCALE_UP_RETRIES.delayMillis(failures));
        }
    }

    /**
     * Jobs that need or hold a task: the last observation's, where in-flight messages count only as far as busy
     * tasks can hold them, plus submissions since. Called with the lock held.
     */
    private long outstanding() {
        return depth.outstanding((long) tasks.busyCount() * pool.messagesPerTask()) + (submittedTotal - countedAtObservation);
    }

    synchronized Integer currentDesired() {
        return desired;
    }

    /** Records a failure as the pool's lastError and, when it differs from the last one, as an event. Never throws. */
    void failed(String what, Throwable e) {
        String message = what + ": " + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
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
        synchronized (this) {
            return new PoolStatus(pool.name(), pool.cluster(), pool.service(), pool.queueUrl(), pool.mode().wireName(),
                    pool.minTasks(), pool.maxTasks(), pool.messagesPerTask(), desired, running, pending,
                    new PoolStatus.Queue(depth.visible(), depth.inFlight(), depth.delayed()), busy, protectedTasks,
                    lastReconcileAt, lastError);
        }
    }

    private <T> CompletableFuture<T> onSerial(Step<T> step) {
        CompletableFuture<T> result = new CompletableFuture<>();
        serial.execute(() -> {
            try {
                result.complete(step.run());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                result.completeExceptionally(e);
            } catch (Exception | Error e) {
                result.completeExceptionally(e);
            }
        });
        return result;
    }

    @FunctionalInterface
    private interface Step<T> {
        T run() throws Exception;
    }
}
