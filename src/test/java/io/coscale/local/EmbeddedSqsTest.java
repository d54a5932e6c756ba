package io.coscale.local;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageAttributeValue;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/** The embedded SQS server, through the Quarkus SQS client the application itself uses. */
@QuarkusTest
@QuarkusTestResource(LocalCloudTestResource.class)
class EmbeddedSqsTest {

    @Inject
    SqsClient sqs;

    @Test
    void sendReceiveDeleteAndCount() {
        String url = sqs.createQueue(b -> b.queueName("embedded-sqs-test")).queueUrl();
        assertThat(url).startsWith("http://127.0.0.1:").endsWith("/000000000000/embedded-sqs-test");

        sqs.sendMessage(b -> b.queueUrl(url).messageBody("{\"seconds\":1}")
                .messageAttributes(Map.of("coscale-job-id", MessageAttributeValue.builder()
                        .dataType("String").stringValue("j-1").build())));
        sqs.sendMessage(b -> b.queueUrl(url).messageBody("plain text").delaySeconds(60));
        assertThat(depth(url)).containsEntry(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES, "1")
                .containsEntry(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_DELAYED, "1");

        List<Message> received = sqs.receiveMessage(b -> b.queueUrl(url).waitTimeSeconds(1)
                .messageAttributeNames("All")).messages();
        assertThat(received).hasSize(1);
        assertThat(received.get(0).body()).isEqualTo("{\"seconds\":1}");
        assertThat(received.get(0).messageAttributes().get("coscale-job-id").stringValue()).isEqualTo("j-1");
        assertThat(depth(url)).containsEntry(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE, "1");

        sqs.deleteMessage(b -> b.queueUrl(url).receiptHandle(received.get(0).receiptHandle()));
        assertThat(depth(url)).containsEntry(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES, "0")
                .containsEntry(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE, "0");
    }

    @Test
    void demoQueuesExistWithRedrive() {
        String url = sqs.getQueueUrl(b -> b.queueName("demo")).queueUrl();
        Map<QueueAttributeName, String> attributes = sqs.getQueueAttributes(b -> b.queueUrl(url)
                .attributeNames(QueueAttributeName.REDRIVE_POLICY)).attributes();
        assertThat(attributes.get(QueueAttributeName.REDRIVE_POLICY)).contains("demo-dlq").contains("3");
    }

    private Map<QueueAttributeName, String> depth(String url) {
        return sqs.getQueueAttributes(b -> b.queueUrl(url).attributeNames(
                QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES,
                QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE,
                QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_DELAYED)).attributes();
    }
}
