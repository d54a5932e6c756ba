package io.coscale.control;

import io.coscale.aws.ServiceState;
import io.coscale.aws.TaskState;
import io.coscale.concurrent.Futures;
import io.coscale.concurrent.SerialSteps;
import io.coscale.domain.CountBelief;
import io.coscale.domain.Event;
import io.coscale.domain.Pool;
import io.coscale.domain.QueueDepth;
import io.coscale.domain.ReconcileAction;
import io.coscale.domain.Reconciliation;
import io.coscale.domain.ReleaseDecision;
import io.coscale.domain.TaskStop;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * One pool's control loop. Every decision on the pool's {@code desiredCount} — scale-up ({@link ScaleUp}), release
 * ({@link Release}), reconcile correction — is a step of the pool's {@link SerialSteps}: one at a time and in order,
 * so each decision sees the count the previous one left (a release's exit is in it from its decision on, though its
 * record is written after the step: {@link PendingExits}). A step that waits (for SQS, ECS or the UpdateService
 * budget) holds no thread. Claims are not steps: they change no count, so they never wait for another task's release
 * (see {@link PoolTasks}). What the pool knows is one {@link PoolState}, handed to each.
 *
 * <p>Invariants: desiredCount is never set outside [minTasks, maxTasks] by coscale (scale-ups and corrections are
 * clamped by the domain rules; a release lowers by exactly one, and only above minTasks); in protect mode a task is
 * unprotected before the count is lowered for it; a task's exit lowers the count once however often it is released;
 * a stale ECS read never overrides a change coscale made itself ({@link CountBelief}).
 */
public final class PoolController {

    private final Pool pool;
    private final ControlContext ctx;
    private final SerialSteps steps;
    private final EventLog events;
    private final PoolTasks tasks;
    private final TaskStops stops;
    private final PoolState state;
    private final ScaleUp scaleUp;
    private final Release release;
    private final ProtectionTakeover takeover;
    private final DelayedJobs delayedJobs;

    PoolController(Pool pool, ControlContext ctx) {
        this.pool = pool;
        this.ctx = ctx;
        this.steps = new SerialSteps(ctx.threads().steps());
        this.events = new EventLog(ctx.eventsPerPool());
        this.tasks = new PoolTasks(pool, ctx, events, this::currentDesired);
        this.stops = new TaskStops(pool, ctx, events, tasks, this::currentDesired);
        this.state = new PoolState(pool, ctx, events, tasks::busyCount);
        this.scaleUp = new ScaleUp(pool, ctx, steps, events, state);
        this.release = new Release(pool, ctx, events, state, tasks, scaleUp);
        this.takeover = new ProtectionTakeover(pool, tasks, ctx.sweeps(), e -> state.failed("take over protection", e));
        // One timer per second of due time, not per submission: delays reach 900 s at thousands of jobs a second.
        this.delayedJobs = new DelayedJobs((task, nanos) -> ctx.threads().timer().schedule(task, nanos, TimeUnit.NANOSECONDS),
                ctx::nanoTime, this::submitted);
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
        return scaleUp.submitted(jobs, messageGroups);
    }

    /** The pool's scale-up: {@link Intake} counts what SQS accepted through it, the pool's one door for counting. */
    ScaleUp scaleUp() {
        return scaleUp;
    }

    /**
     * The pool is no longer managed by this controller (deleted, or redefined and handed to a new one): jobs counted
     * later (a delay that ends, a submission in flight) queue no scale-up. A step already queued still runs.
     */
    void retire() {
        scaleUp.retire();
        takeover.retire();
    }

    /**
     * Counts jobs SQS accepted with a delay: they need a task only once they become visible, so they are counted
     * then, at the latest one second after (see {@link DelayedJobs}). Returns the desiredCount the pool is heading for.
     */
    public int submittedDelayed(int jobs, Duration delay) {
        delayedJobs.add(jobs, delay);
        return submitted(0);
    }

    /**
     * A live task of this pool claims (before its first receive; later claims are heartbeats): in protect mode it is
     * protected until it is told to exit. The answer says drain for a task of an older deployment. Not a step: it
     * waits for nobody's release.
     *
     * @param startedBy the task's {@code startedBy} (the deployment that started it), as ECS reports it; null when not
     *        known
     */
    public CompletableFuture<ClaimResult> claim(String taskArn, String startedBy) {
        return tasks.claim(taskArn, state.olderDeployment(startedBy));
    }

    /**
     * Decides what a worker that found the queue empty does next, and acts on it: exit (unprotect, then the count
     * −1; a task of an older deployment exits with the count kept), continue or stay.
     */
    public CompletableFuture<ReleaseDecision> release(TaskState task) {
        long asked = ctx.nanoTime();
        // The step ends once the release is decided; an exit's answer waits for its record, then for the count change
        // that counts it.
        return steps.submit(() -> release.step(task, asked)).thenCompose(answer -> answer);
    }

    /**
     * Brings the pool toward its target given ECS's and SQS's word: the reconciler's step for this pool.
     *
     * @param observedAtNanos {@link System#nanoTime()} (the context's nano clock) just before {@code service} was read
     * @param submissionMark {@link #submissionMark()} just before {@code observed} was read
     */
    public CompletableFuture<Void> reconcile(ServiceState service, QueueDepth observed, long observedAtNanos,
            long submissionMark) {
        // The stop check follows the step instead of being part of it: its reads wait their turn of the task-read
        // budget, and the pool's scale-ups and releases do not wait with them.
        return steps.submit(() -> reconcileStep(service, observed, observedAtNanos, submissionMark))
                .thenCompose(reconciled -> stops.forgetStopped(service))
                .thenRun(state::succeeded);
    }

    private CompletableFuture<Void> reconcileStep(ServiceState observedService, QueueDepth observed, long observedAtNanos,
            long submissionMark) {
        Reconciliation.Observation observation = state.reconciled(observedService, observed, observedAtNanos,
                submissionMark);
        // Before the count change, which throws when the lease changed hands meanwhile: the take-over is not a step's.
        takeover.reconciled(observedService);
        ReconcileAction action = Reconciliation.decide(pool, observation);
        CompletableFuture<Void> done = CompletableFuture.completedFuture(null);
        int to = action.desiredCount().orElse(observation.desiredCount());
        // The observation's count is the heading the pending exits leave; the write takes them with it (absorbed by a
        // raise, or lowered for). A count read before ECS settled after a restart may be older than what the coscale
        // before wrote: it is raised, but never lowered from (PoolState.settle).
        if (action.changes()) {
            done = state.settle(heading -> to).thenAccept(settling -> {
                if (settling.writes()) {
                    scaleUp.recheck();
                    events.add(Event.reconcile(ctx.clock().instant(), settling.from(), settling.to(), action.reason()));
                }
            });
        }
        return done;
    }

    /**
     * This replica has just taken the lease over: what it knew of the pool may be older than what the last leader
     * did. As after a start-up, the count is read again and not lowered for {@code exitSettle}, and the protection ECS
     * holds is taken over again from the next reconcile on. A step, so that it never lands in the middle of another.
     */
    public CompletableFuture<Void> takeOver() {
        return steps.submit(() -> {
            state.restart();
            takeover.restart();
            stops.reset();
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

    /**
     * Renews protection that lapses soon; on its own schedule, not the reconcile's, and not a step: no count changes.
     * It also starts the protection take-over when it is due, so that a pool whose reconcile reads keep failing still
     * takes over (and then renews) the protection ECS holds for its tasks.
     */
    public CompletableFuture<Void> renewProtection() {
        return Futures.start(() -> {
            takeover.startIfDue();
            tasks.renewExpiring();
            return CompletableFuture.completedFuture(null);
        });
    }

    /**
     * How many jobs have been accepted so far. Take it just before reading the queue's depth (see
     * {@link io.coscale.domain.Backlog}).
     */
    public long submissionMark() {
        return state.submissionMark();
    }

    /** Jobs accepted with a delay that has not ended yet (see {@link DelayedJobs}). */
    long delayedJobs() {
        return delayedJobs.pendingJobs();
    }

    Integer currentDesired() {
        return state.desired();
    }

    /** Records a failure as the pool's lastError and, when it differs from the last one, as an event. Never throws. */
    void failed(String what, Throwable e) {
        state.failed(what, e);
    }

    /** The pool's status as the API shows it. */
    public PoolStatus status() {
        int busy = tasks.busyCount();
        int protectedTasks = tasks.protectedCount();
        Map<String, Integer> stopped = stops.stopsByCode();
        List<TaskStop> recentStops = stopped.isEmpty() ? List.of() : stops.lastStops();
        return state.status(busy, protectedTasks, stopped, recentStops);
    }
}
