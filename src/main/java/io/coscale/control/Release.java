package io.coscale.control;

import io.coscale.aws.TaskState;
import io.coscale.domain.Event;
import io.coscale.domain.Pool;
import io.coscale.domain.ReleaseDecision;
import io.coscale.domain.TaskLife;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * A pool's release: what a worker that found the queue empty does next, carried out. Exit: unprotect, record the
 * exit on the task, then wait for the pool's next count change to count it: lowered for, merged with the other exits
 * recorded by then, or absorbed by a raise ({@link ScaleUp#exitRecorded}; a task of an older deployment exits with the
 * count kept); continue or stay: nothing changes. A step of the pool, from the decision to the record: one at a time
 * with its other count changes; the answer to an exit comes after the step.
 *
 * <p>A task's exit lowers the count once however often it is released: a repeat gets the remembered decision, or,
 * after a restart, the task's exit record. Once the exit record is sent, a repeat never decides again: when the
 * record's answer was lost it writes the same record again, and when the UpdateService went unanswered it finishes the
 * recorded exit ({@link PoolState#lowerOnce}).
 */
final class Release {

    private final Pool pool;
    private final ControlContext ctx;
    private final EventLog events;
    private final PoolState state;
    private final PoolTasks tasks;
    private final ScaleUp scaleUp;

    Release(Pool pool, ControlContext ctx, EventLog events, PoolState state, PoolTasks tasks, ScaleUp scaleUp) {
        this.pool = pool;
        this.ctx = ctx;
        this.events = events;
        this.state = state;
        this.tasks = tasks;
        this.scaleUp = scaleUp;
    }

    /**
     * The release step: completes with the answer, which completes once the exit (if one) is counted.
     *
     * @param task the task as DescribeTasks showed it: its exit record (null when none), and the deployment that
     *        started it
     * @param askedNanos when the release came in: the queue's depth it decides on was read after that
     *        ({@link PoolState#decideRelease})
     */
    CompletableFuture<CompletableFuture<ReleaseDecision>> step(TaskState task, long askedNanos) {
        String taskArn = task.taskArn();
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
                        .thenCompose(confirmed -> finishRecorded(taskArn, unconfirmed))
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
                .thenCompose(decided -> act(taskArn, decided.decision(), decided.from()));
    }

    private static CompletableFuture<CompletableFuture<ReleaseDecision>> answered(ReleaseDecision decision) {
        return CompletableFuture.completedFuture(CompletableFuture.completedFuture(decision));
    }

    private CompletableFuture<CompletableFuture<ReleaseDecision>> act(String taskArn, ReleaseDecision decision,
            int from) {
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
        return ctx.writes().exit(pool, taskArn, lowerTo).handle((ok, e) -> {
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
                throw new CompletionException(cause);
            }
            if (lowerTo.isEmpty()) {
                return CompletableFuture.completedFuture(exited(taskArn, decision, from));
            }
            // Once recorded, the exit is counted or pending: a retry finishes it and never lowers from a fresh decision.
            tasks.recorded(taskArn, decision);
            return scaleUp.exitRecorded().thenApply(counted -> exited(taskArn, decision, from));
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
