package io.coscale.control;

import io.coscale.aws.TaskState;
import io.coscale.domain.Event;
import io.coscale.domain.Pool;
import io.coscale.domain.ReleaseDecision;
import io.coscale.domain.TaskLife;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A pool's release: what a worker that found the queue empty does next, carried out. Exit: unprotect, record the
 * exit on the task, then wait for the pool's next count change to count it: lowered for, merged with the other exits
 * recorded by then, or absorbed by a raise ({@link ScaleUp#exitRecorded}; a task of an older deployment exits with the
 * count kept); continue or stay: nothing changes.
 *
 * <p>The decision is a step of the pool: one at a time with its other count changes, and an exit takes its place in
 * the heading as it is decided ({@link PendingExits}), so no two releases decide from the same count. The exit's
 * writes (unprotect, record) and their budget waits come after the step, so that a storm of exits waits for ECS's
 * TagResource budget side by side, not one behind the other: the pool's next release, scale-up or merged decrement
 * does not wait for them, and each exit is answered with the first count change after its own record.
 *
 * <p>A task's exit lowers the count once however often it is released: a repeat while its exit is being carried out
 * gets the same answer; later, the remembered decision, or, after a restart, the task's exit record. Once the exit
 * record is sent, a repeat never decides again: when the record's answer was lost it writes the same record again (and
 * lowers nothing when a raise absorbed the exit meanwhile), and when the UpdateService went unanswered it finishes the
 * recorded exit ({@link PoolState#lowerOnce}).
 */
final class Release {

    private final Pool pool;
    private final ControlContext ctx;
    private final EventLog events;
    private final PoolState state;
    private final PoolTasks tasks;
    private final ScaleUp scaleUp;
    /** Exits being carried out (their records or decrements still to come), by task: a repeat joins the answer. */
    private final Map<String, CompletableFuture<ReleaseDecision>> exiting = new ConcurrentHashMap<>();
    /** Tasks whose exit a raise absorbed while its record's answer was lost: their retried release lowers nothing. */
    private final Set<String> absorbed = ConcurrentHashMap.newKeySet();

    Release(Pool pool, ControlContext ctx, EventLog events, PoolState state, PoolTasks tasks, ScaleUp scaleUp) {
        this.pool = pool;
        this.ctx = ctx;
        this.events = events;
        this.state = state;
        this.tasks = tasks;
        this.scaleUp = scaleUp;
    }

    /**
     * The release step: completes with the answer, which completes once the exit (if one) is counted; an exit's
     * writes go on after the step.
     *
     * @param task the task as DescribeTasks showed it: its exit record (null when none), and the deployment that
     *        started it
     * @param askedNanos when the release came in: the queue's depth it decides on was read after that
     *        ({@link PoolState#decideRelease})
     */
    CompletableFuture<CompletableFuture<ReleaseDecision>> step(TaskState task, long askedNanos) {
        String taskArn = task.taskArn();
        CompletableFuture<ReleaseDecision> carriedOut = exiting.get(taskArn);
        if (carriedOut != null) {
            return CompletableFuture.completedFuture(carriedOut);
        }
        TaskLife life = tasks.lifeOf(taskArn);
        switch (life.stage()) {
            case EXITED:
                return answered(life.exit());
            case RECORDED:
                return finishRecorded(taskArn, life.exit()).thenApply(CompletableFuture::completedFuture);
            case RECORD_UNKNOWN:
                // The record may be on the task (a read may not show it yet): the same record again, never a new decision.
                ReleaseDecision unconfirmed = life.exit();
                return ctx.writes().recordExit(taskArn, unconfirmed.desiredCount())
                        .thenRun(() -> tasks.recorded(taskArn, unconfirmed))
                        .thenCompose(confirmed -> absorbed.remove(taskArn) ? CompletableFuture.completedFuture(
                                exited(taskArn, unconfirmed, unconfirmed.desiredCount() + 1))
                                : finishRecorded(taskArn, unconfirmed))
                        .thenApply(CompletableFuture::completedFuture);
            default:
                break;
        }
        if (task.exitRecord() != null) {
            // Told to exit by a coscale that is gone (killed before the worker had its answer): the same exit again,
            // and the count is not lowered twice.
            ReleaseDecision replay = ReleaseDecision.replay(task.exitRecord());
            tasks.exited(taskArn, replay);
            return answered(replay);
        }
        return state.decideRelease(askedNanos, task.startedBy())
                .thenCompose(decided -> act(taskArn, decided));
    }

    private static CompletableFuture<CompletableFuture<ReleaseDecision>> answered(ReleaseDecision decision) {
        return CompletableFuture.completedFuture(CompletableFuture.completedFuture(decision));
    }

    private CompletableFuture<CompletableFuture<ReleaseDecision>> act(String taskArn, PoolState.Decided decided) {
        ReleaseDecision decision = decided.decision();
        if (decision.kind() != ReleaseDecision.Kind.EXIT) {
            // Warm capacity keeps its protection: an unprotected idle task would be the next scale-in's victim as
            // readily as a busy one that has not yet claimed again.
            tasks.idle(taskArn);
            // An exit abandoned after its unprotect was sent (here, or by a killed predecessor) may have left the task
            // unprotected: protection not confirmed here is re-asserted first.
            return tasks.reassertIfUnknown(taskArn).thenApply(reasserted -> CompletableFuture.completedFuture(decision));
        }
        // Idle (it found no work): while its exit waits for the count change that counts it, its task holds no job, so
        // no message counts as held by it and no raise is made for work it does not have. Marked exiting before its
        // unprotect is queued: from now on a claim does not protect it again.
        tasks.idle(taskArn);
        tasks.beginExit(taskArn);
        // A drained task is unprotected too, so that its deployment may replace it; only an exit that lowers is recorded.
        OptionalInt lowerTo = decision.lowersCount() ? OptionalInt.of(decision.desiredCount()) : OptionalInt.empty();
        CompletableFuture<ReleaseDecision> answer = ctx.writes().exit(pool, taskArn, lowerTo).handle((ok, e) -> {
            EcsWrites.ExitWrite failed = e == null ? null : EcsWrites.failedWrite(e);
            Throwable cause = e == null ? null : EcsWrites.exitCause(e);
            if (failed != EcsWrites.ExitWrite.UNPROTECT) {
                tasks.unprotected(taskArn);
            }
            if (failed == EcsWrites.ExitWrite.RECORD && !EcsWrites.surelyNotApplied(cause)) {
                // The record may be on the task: the exit is kept, never decided again.
                tasks.recordUnknown(taskArn, decision);
            }
            if (e != null) {
                tasks.abandonExit(taskArn);
                return decided.exit() == null ? CompletableFuture.<ReleaseDecision>failedFuture(cause)
                        : withdrawn(taskArn, decided.exit(), cause);
            }
            if (lowerTo.isEmpty()) {
                return CompletableFuture.completedFuture(exited(taskArn, decision, decided.from()));
            }
            // Once recorded, the exit is counted or pending: a retry finishes it and never lowers from a fresh decision.
            tasks.recorded(taskArn, decision);
            return scaleUp.exitRecorded(decided.exit()).thenApply(counted -> exited(taskArn, decision, decided.from()));
        }).thenCompose(counted -> counted);
        // The step ends here, the exit in the heading: its writes, their budget waits and its count change come after.
        exiting.put(taskArn, answer);
        answer.whenComplete((done, e) -> exiting.remove(taskArn, answer));
        return CompletableFuture.completedFuture(answer);
    }

    /**
     * An exit whose record failed leaves the heading and fails with {@code cause}; when a raise absorbed it meanwhile
     * and its record may be on the task, its retried release records it again and lowers nothing for it.
     */
    private CompletableFuture<ReleaseDecision> withdrawn(String taskArn, PendingExits.Exit exit, Throwable cause) {
        return state.exitWithdrawn(exit, cause).handle((counted, notCounted) -> {
            if (notCounted == null && tasks.lifeOf(taskArn).stage() == TaskLife.Stage.RECORD_UNKNOWN) {
                absorbed.add(taskArn);
            }
            throw new CompletionException(cause);
        });
    }

    private ReleaseDecision exited(String taskArn, ReleaseDecision decision, int from) {
        tasks.exited(taskArn, decision);
        events.add(Event.release(ctx.clock().instant(), from, decision.desiredCount(), decision.reason()));
        return decision;
    }

    /**
     * A retried release of a task whose exit is recorded but whose UpdateService went unanswered (or failed): the
     * count is lowered for it only if ECS shows it has not been (see {@link PoolState#lowerOnce}), and the answer is
     * the recorded decision.
     */
    private CompletableFuture<ReleaseDecision> finishRecorded(String taskArn, ReleaseDecision recorded) {
        return state.lowerOnce(recorded.desiredCount()).thenApply(lowered -> {
            if (lowered) {
                scaleUp.recheck();
                events.add(Event.release(ctx.clock().instant(), recorded.desiredCount() + 1, recorded.desiredCount(),
                        recorded.reason()));
            }
            tasks.exited(taskArn, recorded);
            return recorded;
        });
    }
}
