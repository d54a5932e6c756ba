package io.coscale.aws;

import static org.assertj.core.api.Assertions.assertThat;

import io.coscale.domain.OutgoingMessage;
import io.coscale.domain.SendOutcome;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.BatchRequestTooLongException;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchRequest;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchResponse;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchResultEntry;

/**
 * What {@link QueueGateway#sendBatch} asks of SQS, against a stand-in client that enforces SendMessageBatch's
 * limits the way SQS does: a request over 10 entries or 256 KiB is refused as a whole.
 */
class QueueGatewayTest {

    private static final String QUEUE = "https://sqs.us-east-1.amazonaws.com/000000000000/jobs";

    /** Records each SendMessageBatch and accepts it unless it breaks a limit. */
    private static final class StrictSqs implements SqsClient {
        final List<SendMessageBatchRequest> calls = new ArrayList<>();

        @Override
        public SendMessageBatchResponse sendMessageBatch(SendMessageBatchRequest request) {
            calls.add(request);
            if (request.entries().size() > 10 || (request.entries().size() > 1 && bytes(request) > 256 * 1024)) {
                throw (BatchRequestTooLongException) BatchRequestTooLongException.builder().message("too long").statusCode(400).build();
            }
            return SendMessageBatchResponse.builder().successful(request.entries().stream()
                    .map(e -> SendMessageBatchResultEntry.builder().id(e.id()).messageId("m-" + e.id()).build()).toList())
                    .build();
        }

        @Override
        public String serviceName() {
            return "sqs";
        }

        @Override
        public void close() {
        }
    }

    private final StrictSqs sqs = new StrictSqs();
    private final QueueGateway gateway = new QueueGateway(sqs);

    @Test
    void tenJobsOf100KiBAreAllEnqueuedInRequestsSqsAccepts() {
        List<OutgoingMessage> jobs = IntStream.range(0, 10).mapToObj(i -> job("j" + i, 100 * 1024)).toList();
        List<SendOutcome> outcomes = gateway.sendBatch(QUEUE, jobs);
        assertThat(outcomes).allMatch(SendOutcome::accepted);
        assertThat(outcomes).extracting(SendOutcome::jobId).containsExactlyElementsOf(jobs.stream().map(OutgoingMessage::jobId).toList());
        assertThat(sqs.calls).hasSize(5).allSatisfy(call -> assertThat(bytes(call)).isLessThanOrEqualTo(256 * 1024));
    }

    @Test
    void aJobNear1MiBGoesAloneBetweenSmallOnes() {
        List<OutgoingMessage> jobs = List.of(job("a", 10), job("big", 1024 * 1024 - 100), job("b", 10), job("c", 10));
        List<SendOutcome> outcomes = gateway.sendBatch(QUEUE, jobs);
        assertThat(outcomes).allMatch(SendOutcome::accepted);
        assertThat(sqs.calls).extracting(call -> call.entries().size()).containsExactly(1, 1, 2);
        assertThat(sqs.calls.get(1).entries().get(0).messageBody()).hasSize(1024 * 1024 - 100);
    }

    @Test
    void aHundredSmallJobsGoTenPerRequest() {
        List<OutgoingMessage> jobs = IntStream.range(0, 100).mapToObj(i -> job("j" + i, 100)).toList();
        assertThat(gateway.sendBatch(QUEUE, jobs)).hasSize(100).allMatch(SendOutcome::accepted);
        assertThat(sqs.calls).hasSize(10).allSatisfy(call -> assertThat(call.entries()).hasSize(10));
    }

    @Test
    void aFifoJobIsInAGroupOfItsOwnUnlessItNamesOne() {
        List<OutgoingMessage> jobs = List.of(job("a", 10),
                new OutgoingMessage("b", "{}", Map.of(), 0, Optional.of("dedup-b"), Optional.of("customer-7")));
        assertThat(gateway.sendBatch(QUEUE + ".fifo", jobs)).allMatch(SendOutcome::accepted);
        List<SendMessageBatchRequestEntry> entries = sqs.calls.get(0).entries();
        assertThat(entries).extracting(SendMessageBatchRequestEntry::messageGroupId).containsExactly("a", "customer-7");
        assertThat(entries).extracting(SendMessageBatchRequestEntry::messageDeduplicationId).containsExactly("a", "dedup-b");
    }

    @Test
    void aStandardQueueGetsNoGroup() {
        gateway.sendBatch(QUEUE, List.of(job("a", 10)));
        assertThat(sqs.calls.get(0).entries().get(0).messageGroupId()).isNull();
    }

    private static OutgoingMessage job(String id, int bodyBytes) {
        return new OutgoingMessage(id, "x".repeat(bodyBytes), Map.of("kind", "test"), 0, Optional.empty());
    }

    /** The request's payload as SQS counts it: bodies plus attribute names, types and values. */
    private static int bytes(SendMessageBatchRequest request) {
        int bytes = 0;
        for (SendMessageBatchRequestEntry e : request.entries()) {
            bytes += e.messageBody().length();
            for (var a : e.messageAttributes().entrySet()) {
                bytes += a.getKey().length() + a.getValue().dataType().length() + a.getValue().stringValue().length();
            }
        }
        return bytes;
    }
}
