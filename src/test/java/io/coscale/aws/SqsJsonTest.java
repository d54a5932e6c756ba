package io.coscale.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.coscale.domain.OutgoingMessage;
import io.coscale.domain.SendOutcome;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * SQS's JSON protocol as {@link SqsWire} speaks it: what a SendMessageBatch carries, how each entry's outcome is read
 * (MD5s checked), and how an error answer classifies — the same codes and the same transient / maybe-applied lines as
 * {@link AwsCallException#from} draws for the SDK.
 */
class SqsJsonTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final String QUEUE = "https://sqs.us-east-1.amazonaws.com/123456789012/jobs";

    private static OutgoingMessage job(String id, String body) {
        return new OutgoingMessage(id, body, Map.of("tenant", "acme"), 0, Optional.empty());
    }

    @Test
    void aBatchCarriesEachJobWithItsIdAttributeAndDelayUnderItsIndex() throws Exception {
        OutgoingMessage delayed = new OutgoingMessage("j2", "{\"n\":2}", Map.of(), 30, Optional.empty());
        JsonNode request = MAPPER.readTree(SqsJson.sendMessageBatch(QUEUE, List.of(job("j1", "héllo \"x\""), delayed)));

        assertThat(request.path("QueueUrl").asText()).isEqualTo(QUEUE);
        JsonNode first = request.path("Entries").get(0);
        assertThat(first.path("Id").asText()).isEqualTo("0");
        assertThat(first.path("MessageBody").asText()).isEqualTo("héllo \"x\"");
        assertThat(first.has("DelaySeconds")).isFalse();
        assertThat(first.at("/MessageAttributes/coscale-job-id/StringValue").asText()).isEqualTo("j1");
        assertThat(first.at("/MessageAttributes/coscale-job-id/DataType").asText()).isEqualTo("String");
        assertThat(first.at("/MessageAttributes/tenant/StringValue").asText()).isEqualTo("acme");
        assertThat(first.has("MessageGroupId")).isFalse();
        JsonNode second = request.path("Entries").get(1);
        assertThat(second.path("Id").asText()).isEqualTo("1");
        assertThat(second.path("DelaySeconds").asInt()).isEqualTo(30);
        assertThat(second.path("MessageAttributes").size()).isEqualTo(1);
    }

    @Test
    void aFifoEntryGetsItsOwnGroupAndDeduplicationUnlessTheSubmitterNamedThem() throws Exception {
        OutgoingMessage named = new OutgoingMessage("j2", "b", Map.of(), 0, Optional.of("d2"), Optional.of("g2"));
        JsonNode entries = MAPPER.readTree(SqsJson.sendMessageBatch(QUEUE + ".fifo", List.of(job("j1", "a"), named)))
                .path("Entries");

        assertThat(entries.get(0).path("MessageGroupId").asText()).isEqualTo("j1");
        assertThat(entries.get(0).path("MessageDeduplicationId").asText()).isEqualTo("j1");
        assertThat(entries.get(1).path("MessageGroupId").asText()).isEqualTo("g2");
        assertThat(entries.get(1).path("MessageDeduplicationId").asText()).isEqualTo("d2");
    }

    @Test
    void eachJobGetsItsOwnOutcomeInOrderAndOneSqsDidNotMentionFailed() {
        List<OutgoingMessage> batch = List.of(job("a", "1"), job("b", "2"), job("c", "3"));
        String answer = "{\"Successful\":[" + ok(2, batch.get(2)) + "],\"Failed\":[{\"Id\":\"0\",\"SenderFault\":true,"
                + "\"Code\":\"InvalidMessageContents\",\"Message\":\"bad\"}]}";

        List<SendOutcome> outcomes = SqsJson.sendOutcomes(batch, bytes(answer));

        assertThat(outcomes).extracting(SendOutcome::jobId).containsExactly("a", "b", "c");
        assertThat(outcomes.get(0).accepted()).isFalse();
        assertThat(outcomes.get(0).transientFailure()).isFalse();
        assertThat(outcomes.get(0).errorCode()).isEqualTo("InvalidMessageContents");
        assertThat(outcomes.get(0).maybeEnqueued()).isFalse();
        assertThat(outcomes.get(1).errorCode()).isEqualTo("NoAnswer");
        assertThat(outcomes.get(1).transientFailure()).isTrue();
        assertThat(outcomes.get(2).accepted()).isTrue();
    }

    @Test
    void anAcceptedEntryWhoseDigestsDoNotMatchMayBeOnTheQueueAltered() {
        List<OutgoingMessage> batch = List.of(job("a", "1"));
        String wrongBody = "{\"Successful\":[{\"Id\":\"0\",\"MessageId\":\"m\",\"MD5OfMessageBody\":\""
                + MessageMd5.body("other") + "\",\"MD5OfMessageAttributes\":\""
                + MessageMd5.attributes(batch.get(0).sqsAttributes()) + "\"}]}";
        String wrongAttributes = "{\"Successful\":[{\"Id\":\"0\",\"MessageId\":\"m\",\"MD5OfMessageBody\":\""
                + MessageMd5.body("1") + "\",\"MD5OfMessageAttributes\":\"" + MessageMd5.attributes(Map.of("x", "y"))
                + "\"}]}";

        for (String answer : List.of(wrongBody, wrongAttributes)) {
            SendOutcome outcome = SqsJson.sendOutcomes(batch, bytes(answer)).get(0);
            assertThat(outcome.accepted()).isFalse();
            assertThat(outcome.maybeEnqueued()).isTrue();
            assertThat(outcome.errorCode()).isEqualTo("ChecksumMismatch");
        }
    }

    @Test
    void anAnswerForAnEntryNeverSentIsAnError() {
        assertThatThrownBy(() -> SqsJson.sendOutcomes(List.of(job("a", "1")),
                bytes("{\"Successful\":[{\"Id\":\"7\",\"MD5OfMessageBody\":\"x\"}]}")))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("'7'");
    }

    @Test
    void errorsClassifyAsTheSdksDo() {
        AwsCallException missing = SqsJson.error("SendMessageBatch", 400, "AWS.SimpleQueueService.NonExistentQueue;Sender",
                bytes("{\"__type\":\"com.amazonaws.sqs#QueueDoesNotExist\",\"message\":\"The specified queue does not exist.\"}"));
        assertThat(missing.errorCode()).isEqualTo("AWS.SimpleQueueService.NonExistentQueue");
        assertThat(missing.isTransient()).isFalse();
        assertThat(missing.maybeApplied()).isFalse();
        assertThat(missing.getMessage()).contains("The specified queue does not exist.");

        AwsCallException typeOnly = SqsJson.error("SendMessageBatch", 400, null,
                bytes("{\"__type\":\"com.amazonaws.sqs#TooManyEntriesInBatchRequest\",\"message\":\"m\"}"));
        assertThat(typeOnly.errorCode()).isEqualTo("TooManyEntriesInBatchRequest");

        AwsCallException throttled = SqsJson.error("SendMessageBatch", 400, null,
                bytes("{\"__type\":\"com.amazon.coral.availability#ThrottlingException\",\"message\":\"Rate exceeded\"}"));
        assertThat(throttled.isThrottled()).isTrue();
        assertThat(throttled.isTransient()).isTrue();
        assertThat(throttled.maybeApplied()).isFalse();
        assertThat(SqsJson.error("GetQueueAttributes", 429, null, bytes("{}")).isThrottled()).isTrue();

        AwsCallException internal = SqsJson.error("SendMessageBatch", 500, "InternalError;Receiver",
                bytes("{\"__type\":\"com.amazonaws.sqs#InternalError\",\"message\":\"oops\"}"));
        assertThat(internal.isTransient()).isTrue();
        assertThat(internal.maybeApplied()).isTrue();

        AwsCallException html = SqsJson.error("SendMessageBatch", 503, null, bytes("<html>Service Unavailable</html>"));
        assertThat(html.errorCode()).isEqualTo("InternalError");
        assertThat(html.isTransient()).isTrue();
        assertThat(html.getMessage()).contains("not JSON").contains("HTTP 503");
    }

    @Test
    void aQueueAttributesAnswerReadsAsAMap() {
        assertThat(SqsJson.attributes(bytes("{\"Attributes\":{\"ApproximateNumberOfMessages\":\"5\"}}")))
                .containsExactly(Map.entry("ApproximateNumberOfMessages", "5"));
        assertThat(SqsJson.attributes(bytes("{}"))).isEmpty();
    }

    private static String ok(int index, OutgoingMessage message) {
        return "{\"Id\":\"" + index + "\",\"MessageId\":\"m" + index + "\",\"MD5OfMessageBody\":\"" + MessageMd5.body(message.body())
                + "\",\"MD5OfMessageAttributes\":\"" + MessageMd5.attributes(message.sqsAttributes()) + "\"}";
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
