package io.coscale.control;

import io.coscale.aws.QueueGateway;
import io.coscale.aws.SqsWire;
import io.coscale.concurrent.Futures;
import io.coscale.domain.OutgoingMessage;
import io.coscale.domain.SendOutcome;
import io.coscale.domain.SubmissionVerdict;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * Job submission's one way in, for one job and for a batch alike, end to end: the jobs go onto the pool's queue
 * (merged with others' into SendMessageBatch calls by the {@link QueueSender}), those SQS accepted, and only those,
 * are counted through the pool's {@link ScaleUp}, and what SQS's outcomes mean for the caller is the pure
 * {@link SubmissionVerdict}. Each hand-off goes one way: the sender gets the jobs and answers with a future, the
 * scale-up gets a count and answers with the desiredCount; nothing calls back in here. Nothing waits: the answer is a
 * future.
 */
@Singleton
public class Intake {

    private final QueueSender sender;

    @Inject
    Intake(ControlContext ctx, QueueGateway queues, ControlMetrics metrics) {
        this(new QueueSender(batchCall(ctx, queues), metrics::sendCall, ctx.threads().timer(), QueueSender.QUEUE_WAIT,
                QueueSender.MAX_QUEUED));
    }

    Intake(QueueSender sender) {
        this.sender = sender;
    }

    /**
     * Sends go out on SqsWire (Vert.x's HTTP client: no thread waits, and the answer completes the submission on the
     * event loop), whose calls cost less CPU than the SDK's pipeline (see SqsWire). A gateway without one (tests on a
     * bare SDK client) sends on the SQS threads.
     */
    private static QueueSender.BatchCall batchCall(ControlContext ctx, QueueGateway queues) {
        Optional<SqsWire> wire = queues.wire();
        if (wire.isPresent()) {
            return wire.get()::sendBatch;
        }
        return (url, messages) -> Futures.on(ctx.threads().sqsCalls(), () -> queues.sendBatch(url, messages));
    }

    /**
     * Submits one job: onto the pool's queue, counted toward its scale-up if SQS accepted it. The verdict is accepted
     * (its job id), or refused as {@link SubmissionVerdict#ofOne} says: a job that waited its turn too long was
     * withdrawn ({@link SendOutcome#neverSent()}), one whose call failed after SQS may have had it says so
     * ({@link SendOutcome#maybeEnqueued()}), and one the send queue had no room for is refused unavailable, uncounted.
     */
    public CompletableFuture<Submitted> submit(PoolController pool, OutgoingMessage job) {
        return send(pool, List.of(job), outcomes -> {
            SendOutcome outcome = outcomes.get(0);
            int desired = count(pool, List.of(job), outcomes);
            return outcome.accepted() ? new Submitted(Optional.empty(), List.of(job.jobId()), List.of(), desired)
                    : new Submitted(Optional.of(SubmissionVerdict.ofOne(outcome)), List.of(), List.of(), desired);
        });
    }

    /**
     * Submits a batch's valid jobs: each onto the pool's queue, merged with concurrent ones into SendMessageBatch calls,
     * and those SQS accepted count toward its scale-up. The verdict is {@link SubmissionVerdict#ofBatch}'s; a batch the
     * send queue had no room for is refused unavailable as a whole, uncounted.
     *
     * @param total the entries of the request
     * @param invalid the entries refused before sending
     * @param validIndex each of {@code jobs}' index in the request
     */
    public CompletableFuture<Submitted> submitBatch(PoolController pool, List<OutgoingMessage> jobs, int total,
            List<SubmissionVerdict.FailedEntry> invalid, int[] validIndex) {
        Function<List<SendOutcome>, Submitted> verdict = outcomes -> {
            int desired = count(pool, jobs, outcomes);
            SubmissionVerdict.Batch batch = SubmissionVerdict.ofBatch(total, invalid, validIndex, outcomes);
            return new Submitted(batch.refused(), batch.jobIds(), batch.failed(), desired);
        };
        if (jobs.isEmpty()) {
            return CompletableFuture.completedFuture(verdict.apply(List.of()));
        }
        return send(pool, jobs, verdict);
    }

    /**
     * The jobs' outcomes, as {@code verdict} judges them once SQS answered for each. The one failure that is not an
     * outcome, a send queue with no room ({@link NotEnqueuedException}), is a refusal here: nothing was handed to SQS.
     */
    private CompletableFuture<Submitted> send(PoolController pool, List<OutgoingMessage> jobs,
            Function<List<SendOutcome>, Submitted> verdict) {
        return sender.send(pool.pool().queueUrl(), jobs).handle((outcomes, failure) -> {
            if (failure == null) {
                return verdict.apply(outcomes);
            }
            if (Futures.cause(failure) instanceof NotEnqueuedException full) {
                return new Submitted(Optional.of(new SubmissionVerdict.Refused(SubmissionVerdict.Refusal.UNAVAILABLE,
                        full.getMessage())), List.of(), List.of(), 0);
            }
            throw Futures.unchecked(failure);
        });
    }

    /**
     * Counts what SQS accepted through the pool's scale-up: delayed jobs when they become visible (grouped by delay),
     * the others at once with their message groups. A lone delayed job is counted by {@code submittedDelayed} alone.
     */
    private static int count(PoolController pool, List<OutgoingMessage> jobs, List<SendOutcome> outcomes) {
        int accepted = 0;
        List<String> groups = List.of();
        Map<Integer, Integer> delayedBySeconds = null;
        for (int i = 0; i < jobs.size(); i++) {
            if (!outcomes.get(i).accepted()) {
                continue;
            }
            OutgoingMessage job = jobs.get(i);
            if (job.delaySeconds() > 0) {
                if (delayedBySeconds == null) {
                    delayedBySeconds = new TreeMap<>();
                }
                delayedBySeconds.merge(job.delaySeconds(), 1, Integer::sum);
            } else {
                accepted++;
                if (job.messageGroupId().isPresent()) {
                    if (groups.isEmpty()) {
                        groups = new ArrayList<>();
                    }
                    groups.add(job.messageGroupId().get());
                }
            }
        }
        int desired = 0;
        if (delayedBySeconds != null) {
            for (Map.Entry<Integer, Integer> delayed : delayedBySeconds.entrySet()) {
                desired = pool.submittedDelayed(delayed.getValue(), Duration.ofSeconds(delayed.getKey()));
            }
        }
        if (accepted > 0 || delayedBySeconds == null) {
            desired = pool.scaleUp().submitted(accepted, groups);
        }
        return desired;
    }
}
