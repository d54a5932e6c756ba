package io.coscale.control;

import io.coscale.concurrent.Futures;
import io.coscale.concurrent.ReadsAfter;
import io.coscale.domain.Event;
import io.coscale.domain.Pool;
import io.coscale.domain.QueueDepth;
import io.coscale.domain.ReleaseDecision;
import io.coscale.domain.TaskLife;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * A pool's release: what a worker that found the queue empty does next, carried out. Exit: unprotect, record the
 * exit on the task, then lower the count by one (a task of an older deployment exits with the count kept); continue
 * or stay: nothing changes. A step of the pool: one at a time with its other count changes.
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
    /** The queue's depth as releases read it, with the submission mark taken just before each read. */
    private final ReadsAfter<MarkedDepth> depthReads;

    /** A depth read, and {@link PoolState#submissionMark()} just before it was asked for. */
    private record MarkedDepth(long mark, QueueDepth depth) {
    }

    Release(Pool pool, ControlContext ctx, EventLog events, PoolState state, PoolTasks tasks, ScaleUp scaleUp) {
        this.pool = pool;
        this.ctx = ctx;
        this.events = events;
        this.state = state;
        this.tasks = tasks;
        this.scaleUp = scaleUp;
        this.depthReads = new ReadsAfter<>(() -> {
            long mark = state.submissionMark();
            return ctx.depth(pool.queueUrl()).thenApply(depth -> new MarkedDepth(mark, depth));
        }, ctx::nanoTime);
    }

    /**
     * The release step.
     *
     * @param exitRecord the exit a coscale recorded on the task, as DescribeTasks showed it; null when none
     * @param askedNanos when the release came in: the queue's depth it decides on was read after that. Releases
     *        queued behind one another share that read (see {@link ReadsAfter}), so that a pool's releases wait for
     *        one SQS round trip together, not one each in turn.
     */
    CompletableFuture<ReleaseDecision> step(String taskArn, boolean olderDeployment, String exitRecord, long askedNanos) {
        TaskLife life = tasks.lifeOf(taskArn);
        switch (life.stage()) {
            case EXITED:
                return CompletableFuture.completedFuture(life.exit());
            case RECORDED:
                return finishRecorded(taskArn, life.exit());
            case RECORD_UNKNOWN:
                // The record may be on the task (a read may not show it yet): the same record again, never a new decision.
                ReleaseDecision unconfirmed = life.exit();
                return ctx.recordExit(taskArn, unconfirmed.desiredCount())
                        .thenRun(() -> tasks.recorded(taskArn, unconfirmed))
                        .thenCompose(confirmed -> finishRecorded(taskArn, unconfirmed));
            default:
                break;
        }
        if (exitRecord != null) {
            // Told to exit by a coscale that is gone (killed before the worker had its answer): the same exit again,
            // and the count is not lowered twice.
            ReleaseDecision replay = ReleaseDecision.replay(exitRecord);
            tasks.exited(taskArn, replay);
            return CompletableFuture.completedFuture(replay);
        }
        return depthReads.after(askedNanos)
                .thenCombine(state.knownCount(), (fresh, known) -> fresh)
                .thenCompose(fresh -> act(taskArn, olderDeployment, fresh.depth(), fresh.mark()));
    }

    private CompletableFuture<ReleaseDecision> act(String taskArn, boolean olderDeployment, QueueDepth fresh, long mark) {
        ReleaseDecision decision;
        int from;
        synchronized (state) {
            decision = state.decideRelease(fresh, mark, olderDeployment);
            from = state.desired();
        }
        ctx.metrics().releaseDecision(pool.name(), decision.kind());
        if (decision.kind() != ReleaseDecision.Kind.EXIT) {
            // Warm capacity keeps its protection: an unprotected idle task would be the next scale-in's victim as
            // readily as a busy one that has not yet claimed again.
            tasks.idle(taskArn);
            // An exit abandoned after its unprotect was sent (here, or by a killed predecessor) may have left the task
            // unprotected: protection not confirmed here is re-asserted first.
            return tasks.reassertIfUnknown(taskArn).thenApply(reasserted -> decision);
        }
        if (decision.lowersCount()) {
            state.checkSettled();
        }
        tasks.beginExit(taskArn);
        // Unprotect first: once the count is lower ECS may stop any unprotected task, and this one must be one. A
        // drained task is unprotected too, so that its deployment may replace it.
        CompletableFuture<Void> done = tasks.unprotect(taskArn);
        if (decision.lowersCount()) {
            // The record before the decrement: a crash between the two loses a decrement (the count stays one too
            // high, and the next release takes it down), never doubles one.
            // Once recorded, the exit is counted or pending: a retry finishes it and never lowers from a fresh decision.
            done = done.thenCompose(unprotected -> ctx.recordExit(taskArn, decision.desiredCount())
                            .whenComplete((ok, e) -> {
                                if (e != null && !ControlContext.surelyNotApplied(e)) {
                                    tasks.recordUnknown(taskArn, decision);
                                }
                            }))
                    .thenRun(() -> tasks.recorded(taskArn, decision))
                    .thenCompose(recorded -> state.changeDesired(decision.desiredCount())).thenRun(scaleUp::recheck);
        }
        return done.handle((ok, e) -> {
            if (e != null) {
                tasks.abandonExit(taskArn);
                throw new CompletionException(Futures.cause(e));
            }
            tasks.exited(taskArn, decision);
            events.add(Event.release(ctx.clock().instant(), from, decision.desiredCount(), decision.reason()));
            return decision;
        });
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
