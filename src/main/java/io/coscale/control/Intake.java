package io.coscale.control;

import io.coscale.aws.QueueGateway;
import io.coscale.concurrent.Futures;
import io.coscale.domain.OutgoingMessage;
import io.coscale.domain.SendOutcome;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;

/**
 * Job submission's one way in, for one job and for a batch alike: the jobs go onto the pool's queue (merged with
 * others' into SendMessageBatch calls by the {@link QueueSender}), and those SQS accepted, and only those, count
 * toward the pool's scale-up. Nothing waits: the answer is a future.
 */
@Singleton
public class Intake {

    private final QueueSender sender;

    @Inject
    Intake(ControlContext ctx, QueueGateway queues, ControlMetrics metrics) {
        // Sends go out on SqsWire (Vert.x's HTTP client: no thread waits, and the answer completes the submission on the
        // event loop), whose calls cost less CPU than the SDK's pipeline (see SqsWire). A gateway without one (tests on
        // a bare SDK client) sends on the SQS threads.
        this(new QueueSender((url, messages) -> {
            metrics.sendCall(messages.size());
            return queues.wire().map(wire -> wire.sendBatch(url, messages))
                    .orElseGet(() -> Futures.on(ctx.threads().sqsCalls(), () -> queues.sendBatch(url, messages)));
        }, ctx.threads().timer()));
    }

    Intake(QueueSender sender) {
        this.sender = sender;
    }

    /**
     * Submits jobs to a pool (one job or a batch): each goes onto the pool's queue, merged with concurrent ones into
     * SendMessageBatch calls, and those SQS accepted count toward its scale-up. The future completes with an outcome
     * per job, in order, and the desiredCount the pool is heading for. A job that waited its turn too long is withdrawn
     * ({@link SendOutcome#neverSent()}); one whose call failed after SQS may have had it says so
     * ({@link SendOutcome#maybeEnqueued()}). Fails with {@link NotEnqueuedException} when none of them was
     * handed to SQS because the send queue was full; every other failure is in the outcomes.
     */
    public CompletableFuture<Submitted> submit(PoolController pool, List<OutgoingMessage> jobs) {
        if (jobs.isEmpty()) {
            return CompletableFuture.completedFuture(new Submitted(List.of(), pool.submitted(0, List.of())));
        }
        return sender.send(pool.pool().queueUrl(), jobs).thenApply(outcomes -> new Submitted(outcomes, count(pool, jobs, outcomes)));
    }

    /**
     * Counts what SQS accepted: delayed jobs when they become visible (grouped by delay), the others at once with
     * their message groups. A lone delayed job is counted by {@code submittedDelayed} alone.
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
            desired = pool.submitted(accepted, groups);
        }
        return desired;
    }
}
