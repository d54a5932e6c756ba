package io.coscale.aws;

import io.coscale.domain.OutgoingMessage;
import io.coscale.domain.Pool;
import io.coscale.domain.QueueDepth;
import io.coscale.domain.SendOutcome;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.MessageAttributeValue;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchRequest;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchResponse;

/**
 * Everything coscale asks of SQS: enqueue jobs (one, or batches within SQS's limits), read a queue's depth (and,
 * for status, its dead-letter queue), resolve a queue name. SDK types stay in here; failures surface as
 * {@link AwsCallException}. The two calls made at volume, merged sends and depth reads, have a non-blocking client
 * of their own ({@link #wire()}, {@link SqsWire}) in the running service.
 */
@Singleton
public class QueueGateway {

    private final SqsClient sqs;
    private final SqsWire wire;

    /** SQS through the SDK client alone: every call blocks its caller. */
    public QueueGateway(SqsClient sqs) {
        this(sqs, null);
    }

    /** The hot calls (merged sends, depth reads) on {@code wire}, which blocks no thread; the rest on the SDK client. */
    @Inject
    public QueueGateway(SqsClient sqs, SqsWire wire) {
        this.sqs = sqs;
        this.wire = wire;
    }

    /** The non-blocking client for the hot calls, when this gateway has one. */
    public Optional<SqsWire> wire() {
        return Optional.ofNullable(wire);
    }

    /**
     * Enqueues jobs in SendMessageBatch calls cut by count and by bytes ({@link SendBatches}). Every message gets
     * an outcome, in order; a call that failed as a whole marks each of its messages refused.
     */
    public List<SendOutcome> sendBatch(String queueUrl, List<OutgoingMessage> messages) {
        List<SendOutcome> outcomes = new ArrayList<>();
        for (List<OutgoingMessage> batch : SendBatches.of(messages)) {
            try {
                SendMessageBatchResponse response = AwsCallException.call("SendMessageBatch",
                        () -> sqs.sendMessageBatch(request(queueUrl, batch)));
                outcomes.addAll(outcomes(batch, response));
            } catch (AwsCallException e) {
                batch.forEach(m -> outcomes.add(e.outcomeOf(m.jobId())));
            }
        }
        return outcomes;
    }

    private static SendMessageBatchRequest request(String queueUrl, List<OutgoingMessage> batch) {
        List<SendMessageBatchRequestEntry> entries = new ArrayList<>(batch.size());
        for (int i = 0; i < batch.size(); i++) {
            OutgoingMessage message = batch.get(i);
            SendMessageBatchRequestEntry.Builder entry = SendMessageBatchRequestEntry.builder()
                    .id(Integer.toString(i)).messageBody(message.body()).messageAttributes(attributes(message));
            if (message.delaySeconds() > 0) {
                entry.delaySeconds(message.delaySeconds());
            }
            fifo(queueUrl, message, entry::messageDeduplicationId, entry::messageGroupId);
            entries.add(entry.build());
        }
        return SendMessageBatchRequest.builder().queueUrl(queueUrl).entries(entries).build();
    }

    /** Each message's outcome from SQS's answer, in order; an entry SQS did not mention failed. */
    static List<SendOutcome> outcomes(List<OutgoingMessage> batch, SendMessageBatchResponse response) {
        SendOutcome[] byIndex = new SendOutcome[batch.size()];
        response.successful().forEach(ok -> {
            int i = Integer.parseInt(ok.id());
            byIndex[i] = SendOutcome.accepted(batch.get(i).jobId());
        });
        response.failed().forEach(f -> {
            int i = Integer.parseInt(f.id());
            byIndex[i] = SendOutcome.refused(batch.get(i).jobId(), !Boolean.TRUE.equals(f.senderFault()), f.code(), f.message());
        });
        return SendOutcome.inOrder(batch, byIndex);
    }

    /** What a depth read asks each queue for: the three counts coscale uses. */
    static final List<QueueAttributeName> DEPTH_ATTRIBUTES = List.of(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES,
            QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE,
            QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_DELAYED);

    /** The queue's approximate visible, in-flight and delayed message counts. */
    public QueueDepth depth(String queueUrl) {
        return depthOf(AwsCallException.call("GetQueueAttributes", () -> sqs.getQueueAttributes(b -> b
                .queueUrl(queueUrl).attributeNames(DEPTH_ATTRIBUTES))).attributesAsStrings());
    }

    /** A queue's depth from GetQueueAttributes' answer, by attribute name (as SQS spells it); a count left out is 0. */
    static QueueDepth depthOf(Map<String, String> attributes) {
        long[] counts = new long[DEPTH_ATTRIBUTES.size()];
        for (int i = 0; i < counts.length; i++) {
            String value = attributes.get(DEPTH_ATTRIBUTES.get(i).toString());
            counts[i] = value == null ? 0 : Long.parseLong(value);
        }
        return new QueueDepth(counts[0], counts[1], counts[2]);
    }

    /**
     * The queue's depth and its redrive policy's dead-letter queue, from one GetQueueAttributes call: what status
     * shows of a queue.
     */
    public QueueReading read(String queueUrl) {
        List<QueueAttributeName> names = new ArrayList<>(DEPTH_ATTRIBUTES);
        names.add(QueueAttributeName.REDRIVE_POLICY);
        Map<String, String> attributes = AwsCallException.call("GetQueueAttributes", () -> sqs.getQueueAttributes(b -> b
                .queueUrl(queueUrl).attributeNames(names))).attributesAsStrings();
        return new QueueReading(depthOf(attributes),
                RedrivePolicy.deadLetterQueueUrl(queueUrl, attributes.get(QueueAttributeName.REDRIVE_POLICY.toString())));
    }

    /**
     * Whether SQS says the queue is a FIFO queue (its {@code FifoQueue} attribute); a GetQueueAttributes call, so it
     * also proves the queue exists and may be read.
     */
    public boolean isFifoQueue(String queueUrl) {
        return "true".equalsIgnoreCase(AwsCallException.call("GetQueueAttributes", () -> sqs.getQueueAttributes(b -> b
                .queueUrl(queueUrl).attributeNames(QueueAttributeName.FIFO_QUEUE))).attributesAsStrings()
                .get(QueueAttributeName.FIFO_QUEUE.toString()));
    }

    /** The URL of a queue by name. */
    public String queueUrl(String queueName) {
        return AwsCallException.call("GetQueueUrl", () -> sqs.getQueueUrl(b -> b.queueName(queueName))).queueUrl();
    }

    private static void fifo(String queueUrl, OutgoingMessage message, java.util.function.Consumer<String> deduplicationId,
            java.util.function.Consumer<String> groupId) {
        if (Pool.isFifo(queueUrl)) {
            groupId.accept(message.fifoGroupId());
            deduplicationId.accept(message.fifoDeduplicationId());
        }
    }

    private static Map<String, MessageAttributeValue> attributes(OutgoingMessage message) {
        Map<String, MessageAttributeValue> attributes = new HashMap<>();
        message.sqsAttributes().forEach((k, v) -> attributes.put(k, string(v)));
        return attributes;
    }

    private static MessageAttributeValue string(String value) {
        return MessageAttributeValue.builder().dataType("String").stringValue(value).build();
    }
}
