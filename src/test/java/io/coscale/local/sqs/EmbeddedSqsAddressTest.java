package io.coscale.local.sqs;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.sqs.SqsClient;

/** Which address ElasticMQ's queue URLs name: its own by default, a proxy's when told. */
class EmbeddedSqsAddressTest {

    @Test
    void onAFreePortItsQueueUrlsNameThePortItBound() {
        try (EmbeddedSqs sqs = EmbeddedSqs.start(0, "us-east-1");
                SqsClient client = SqsFaultProxyTest.client(sqs.endpoint())) {
            assertThat(sqs.endpoint()).doesNotEndWith(":0");
            assertThat(client.createQueue(b -> b.queueName("own")).queueUrl())
                    .isEqualTo(sqs.endpoint() + "/000000000000/own");
        }
    }

    @Test
    void toldAnotherPortItsQueueUrlsNameThatOne() {
        try (EmbeddedSqs sqs = EmbeddedSqs.start(0, 9, "us-east-1");
                SqsClient client = SqsFaultProxyTest.client(sqs.endpoint())) {
            assertThat(client.createQueue(b -> b.queueName("elsewhere")).queueUrl())
                    .isEqualTo("http://127.0.0.1:9/000000000000/elsewhere");
            assertThat(client.getQueueUrl(b -> b.queueName("elsewhere")).queueUrl())
                    .isEqualTo("http://127.0.0.1:9/000000000000/elsewhere");
            assertThat(client.listQueues().queueUrls()).containsExactly("http://127.0.0.1:9/000000000000/elsewhere");
        }
    }
}
