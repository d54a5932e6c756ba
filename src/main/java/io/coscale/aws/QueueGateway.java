package io.coscale.aws;

import io.coscale.domain.QueueDepth;
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
import software.amazon.awssdk.services.sqs.model.SendMessageRequest;

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

    /** Enqueues one job; returns once SQS has accepted it. */
    public void send(String queueUrl, OutgoingMessage message) {
        SendMessageRequest.Builder request = SendMessageRequest.builder().queueUrl(queueUrl)
                .messageBody(message.body())
                .messageAttributes(attributes(message));
        if (message.delaySeconds() > 0) {
            request.delaySeconds(message.delaySeconds());
        }
        fifo(queueUrl, message, request::messageDeduplicationId, request::messageGroupId);
        AwsCallException.call("SendMessage", () -> sqs.sendMessage(request.build()));
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
                batch.forEach(m -> outcomes.add(SendOutcome.unknown(m.jobId(), e)));
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
        List<SendOutcome> outcomes = new ArrayList<>(batch.size());
        for (int i = 0; i < batch.size(); i++) {
            outcomes.add(byIndex[i] != null ? byIndex[i]
                    : SendOutcome.refused(batch.get(i).jobId(), true, "NoAnswer", "SQS gave no outcome for this entry"));
        }
        return outcomes;
    }

    /** The queue's approximate visible, in-flight and delayed message counts. */
    public QueueDepth depth(String queueUrl) {
        Map<QueueAttributeName, String> attributes = AwsCallException.call("GetQueueAttributes", () -> sqs.getQueueAttributes(b -> b
                .queueUrl(queueUrl).attributeNames(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES,
                        QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE,
                        QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_DELAYED))).attributes();
        return depthOf(attributes);
    }

    private static QueueDepth depthOf(Map<QueueAttributeName, String> attributes) {
        return new QueueDepth(count(attributes, QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES),
                count(attributes, QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE),
                count(attributes, QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_DELAYED));
    }

    /**
     * The queue's depth and its redrive policy's dead-letter queue, from one GetQueueAttributes call: what status
     * shows of a queue.
     */
    public QueueReading read(String queueUrl) {
        Map<QueueAttributeName, String> attributes = AwsCallException.call("GetQueueAttributes", () -> sqs.getQueueAttributes(b -> b
                .queueUrl(queueUrl).attributeNames(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES,
                        QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE,
                        QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_DELAYED,
                        QueueAttributeName.REDRIVE_POLICY))).attributes();
        return new QueueReading(depthOf(attributes),
                RedrivePolicy.deadLetterQueueUrl(queueUrl, attributes.get(QueueAttributeName.REDRIVE_POLICY)));
    }

    /** The URL of a queue by name. */
    public String queueUrl(String queueName) {
        return AwsCallException.call("GetQueueUrl", () -> sqs.getQueueUrl(b -> b.queueName(queueName))).queueUrl();
    }

    public static boolean isFifo(String queueUrl) {
        return queueUrl.endsWith(".fifo");
    }

    private static void fifo(String queueUrl, OutgoingMessage message, java.util.function.Consumer<String> deduplicationId,
            java.util.function.Consumer<String> groupId) {
        if (isFifo(queueUrl)) {
            // One group per job unless the submitter names one: a single group would let a FIFO pool of any size
            // work one job at a time. Deduplication falls back to the job id.
            groupId.accept(message.messageGroupId().orElse(message.jobId()));
            deduplicationId.accept(message.deduplicationId().orElse(message.jobId()));
        }
    }

    private static Map<String, MessageAttributeValue> attributes(OutgoingMessage message) {
        Map<String, MessageAttributeValue> attributes = new HashMap<>();
        message.attributes().forEach((k, v) -> attributes.put(k, string(v)));
        attributes.put(OutgoingMessage.JOB_ID_ATTRIBUTE, string(message.jobId()));
        return attributes;
    }

    private static MessageAttributeValue string(String value) {
        return MessageAttributeValue.builder().dataType("String").stringValue(value).build();
    }

    private static long count(Map<QueueAttributeName, String> attributes, QueueAttributeName name) {
        String value = attributes.get(name);
        return value == null ? 0 : Long.parseLong(value);
    }
}
