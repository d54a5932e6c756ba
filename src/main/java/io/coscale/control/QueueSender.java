package io.coscale.control;

import io.coscale.aws.AwsCallException;
import io.coscale.aws.OutgoingMessage;
import io.coscale.aws.QueueGateway;
import io.coscale.aws.SendOutcome;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Sends single jobs, merging those that arrive together into SendMessageBatch calls of up to 10: under load
 * one SQS request carries ten jobs (a tenth of the SQS requests, and of their cost), while a lone job still
 * goes out at once. Each caller returns only when SQS has answered for its own job.
 *
 * <p>Up to {@link #SHARDS} batch calls per queue are in flight at once; a FIFO queue gets one, so its jobs
 * keep their order. A large job goes alone, so that a batch never exceeds SQS's 256 KiB per request.
 */
final class QueueSender {

    static final int SHARDS = 4;
    /** Ten jobs of this size, with attributes, stay under SQS's 256 KiB per batch request. */
    static final int BATCHABLE_BYTES = 24 * 1024;
    private static final Duration ANSWER_TIMEOUT = Duration.ofSeconds(30);

    private record Key(String queueUrl, int shard) {
    }

    private final QueueGateway queues;
    private final Batcher<Key, OutgoingMessage, SendOutcome> batcher;
    private final AtomicInteger next = new AtomicInteger();

    QueueSender(QueueGateway queues, Executor executor) {
        this.queues = queues;
        this.batcher = new Batcher<>(10, executor, (key, messages) -> {
            List<SendOutcome> outcomes = queues.sendBatch(key.queueUrl(), messages);
            Map<OutgoingMessage, SendOutcome> byMessage = new HashMap<>();
            for (int i = 0; i < messages.size(); i++) {
                byMessage.put(messages.get(i), outcomes.get(i));
            }
            return byMessage;
        }, (a, b) -> true);
    }

    /**
     * Enqueues one job and returns once SQS has accepted it.
     *
     * @throws AwsCallException SQS refused it or could not be reached: the job is not enqueued
     */
    void send(String queueUrl, OutgoingMessage message) throws InterruptedException {
        if (size(message) > BATCHABLE_BYTES) {
            queues.send(queueUrl, message);
            return;
        }
        int shard = QueueGateway.isFifo(queueUrl) ? 0 : Math.floorMod(next.getAndIncrement(), SHARDS);
        SendOutcome outcome;
        try {
            outcome = batcher.submit(new Key(queueUrl, shard), message).get(ANSWER_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        } catch (TimeoutException e) {
            // Whether SQS took it is unknown: never acknowledge what may not be enqueued; the caller retries.
            throw new AwsCallException("SQS did not answer within " + ANSWER_TIMEOUT, true, false, "Timeout", e);
        }
        if (!outcome.accepted()) {
            throw new AwsCallException("SendMessageBatch refused the job: " + outcome.errorCode() + ": " + outcome.message(),
                    outcome.transientFailure(), false, outcome.errorCode(), null);
        }
    }

    private static int size(OutgoingMessage message) {
        int bytes = message.body().getBytes(StandardCharsets.UTF_8).length + 64;
        for (Map.Entry<String, String> a : message.attributes().entrySet()) {
            bytes += a.getKey().length() + a.getValue().getBytes(StandardCharsets.UTF_8).length + 16;
        }
        return bytes;
    }
}
