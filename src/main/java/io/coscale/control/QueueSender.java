package io.coscale.control;

import io.coscale.aws.AwsCallException;
import io.coscale.aws.OutgoingMessage;
import io.coscale.aws.QueueGateway;
import io.coscale.aws.SendOutcome;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Sends single jobs, merging those that arrive together into SendMessageBatch calls: under load one SQS request
 * carries up to ten jobs (a tenth of the SQS requests, and of their cost), while a lone job still goes out at once.
 * The gateway cuts each merged batch by SQS's byte limit too, so a large job goes alone.
 *
 * <p>Up to {@link #SHARDS} batch calls per queue are in flight at once; a FIFO queue gets one, so its jobs keep
 * their order.
 *
 * <p>The promise: {@link #send} returns only when SQS has accepted the job, and throws {@link NotEnqueuedException}
 * only when the job was never handed to SQS. A job waits its turn at most {@code queueWait}; if its turn has not
 * come by then, its caller withdraws it, and the merger skips it. Whichever of the two takes the job first wins
 * (one compare-and-set), so a job is never both withdrawn and sent. A job already in flight is not abandoned: its
 * caller waits for SQS's answer, which the SDK's own timeouts bound. At most {@code maxQueued} jobs wait their turn;
 * beyond that a submission is refused at once.
 */
final class QueueSender {

    static final int SHARDS = 4;
    /** How long a job may wait for its turn before its caller withdraws it. */
    static final Duration QUEUE_WAIT = Duration.ofSeconds(10);
    /** Jobs waiting their turn, across queues, beyond which a submission is refused. */
    static final int MAX_QUEUED = 2_000;

    private record Key(String queueUrl, int shard) {
    }

    /** One job's passage: queued until the merger takes it or its caller withdraws it, never both. */
    private static final class Job {
        private static final int QUEUED = 0;
        private static final int TAKEN = 1;
        private static final int WITHDRAWN = 2;

        final OutgoingMessage message;
        private final AtomicInteger state = new AtomicInteger(QUEUED);

        Job(OutgoingMessage message) {
            this.message = message;
        }

        boolean take() {
            return state.compareAndSet(QUEUED, TAKEN);
        }

        boolean withdraw() {
            return state.compareAndSet(QUEUED, WITHDRAWN);
        }
    }

    private final Batcher<Key, Job, SendOutcome> batcher;
    private final Duration queueWait;
    private final int maxQueued;
    private final AtomicInteger next = new AtomicInteger();
    /** Jobs in the merger's queues, withdrawn ones included until the merger drops them: what memory holds. */
    private final AtomicInteger queued = new AtomicInteger();

    QueueSender(QueueGateway queues, Executor executor) {
        this(queues, executor, QUEUE_WAIT, MAX_QUEUED);
    }

    QueueSender(QueueGateway queues, Executor executor, Duration queueWait, int maxQueued) {
        this.queueWait = queueWait;
        this.maxQueued = maxQueued;
        this.batcher = new Batcher<>(10, executor, (key, jobs) -> {
            queued.addAndGet(-jobs.size());
            List<Job> taken = jobs.stream().filter(Job::take).toList();
            Map<Job, SendOutcome> byJob = new HashMap<>();
            if (taken.isEmpty()) {
                return byJob;
            }
            List<SendOutcome> outcomes = queues.sendBatch(key.queueUrl(), taken.stream().map(j -> j.message).toList());
            for (int i = 0; i < taken.size(); i++) {
                byJob.put(taken.get(i), outcomes.get(i));
            }
            return byJob;
        }, (a, b) -> true);
    }

    /**
     * Enqueues one job and returns once SQS has accepted it.
     *
     * @throws NotEnqueuedException the job was never handed to SQS: the send queue was full, or SQS was not asked
     *         within the queue wait
     * @throws AwsCallException SQS refused it or could not be reached
     * @throws InterruptedException interrupted before its turn came: the job was withdrawn, nothing was enqueued
     */
    void send(String queueUrl, OutgoingMessage message) throws InterruptedException {
        if (queued.incrementAndGet() > maxQueued) {
            queued.decrementAndGet();
            throw new NotEnqueuedException("coscale's send queue is full (" + maxQueued
                    + " jobs wait for SQS): the job was not enqueued");
        }
        int shard = QueueGateway.isFifo(queueUrl) ? 0 : Math.floorMod(next.getAndIncrement(), SHARDS);
        Job job = new Job(message);
        SendOutcome outcome = await(job, batcher.submit(new Key(queueUrl, shard), job));
        if (!outcome.accepted()) {
            throw new AwsCallException("SendMessageBatch failed for the job: " + outcome.errorCode() + ": " + outcome.message(),
                    outcome.transientFailure(), false, outcome.errorCode(), null, outcome.maybeEnqueued());
        }
    }

    /** Jobs waiting their turn now. */
    int queued() {
        return queued.get();
    }

    private SendOutcome await(Job job, CompletableFuture<SendOutcome> answer) throws InterruptedException {
        try {
            return answer.get(queueWait.toNanos(), TimeUnit.NANOSECONDS);
        } catch (ExecutionException e) {
            throw unwrap(e.getCause());
        } catch (TimeoutException e) {
            if (job.withdraw()) {
                throw new NotEnqueuedException("SQS was not asked within " + queueWait.toSeconds()
                        + " s (coscale is busy): the job was withdrawn and not enqueued");
            }
            return inFlight(answer);
        } catch (InterruptedException e) {
            if (job.withdraw()) {
                throw e;
            }
            SendOutcome outcome = inFlight(answer);
            Thread.currentThread().interrupt();
            return outcome;
        }
    }

    /** The job is with SQS: only its answer says whether it is enqueued, so wait for it (join ignores interrupts). */
    private static SendOutcome inFlight(CompletableFuture<SendOutcome> answer) {
        try {
            return answer.join();
        } catch (CompletionException e) {
            throw unwrap(e.getCause());
        }
    }

    private static RuntimeException unwrap(Throwable cause) {
        return cause instanceof RuntimeException r ? r : new IllegalStateException(cause);
    }
}
