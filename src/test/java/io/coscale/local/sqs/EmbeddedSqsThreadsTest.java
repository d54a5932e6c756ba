package io.coscale.local.sqs;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * ElasticMQ's dispatcher is sized to the machine, not to Pekko's default of at least 8 threads, and its actor system
 * stops with the server (coscale gives ElasticMQ the system, so ElasticMQ would not stop it).
 */
class EmbeddedSqsThreadsTest {

    private static long dispatcherThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.isAlive() && t.getName().startsWith("elasticmq-pekko.actor.default-dispatcher"))
                .count();
    }

    @Test
    void theDispatcherHasAThreadPerCoreAndStopsWithTheServer() {
        long before = dispatcherThreads();
        try (EmbeddedSqs sqs = EmbeddedSqs.start(0, "us-east-1");
                SqsClient client = SqsFaultProxyTest.client(sqs.endpoint())) {
            String url = client.createQueue(b -> b.queueName("busy")).queueUrl();
            IntStream.range(0, 200).parallel().forEach(i -> client.sendMessage(b -> b.queueUrl(url).messageBody("m" + i)));

            assertThat(EmbeddedSqs.dispatcherThreads()).isEqualTo(Math.max(2, Runtime.getRuntime().availableProcessors()));
            assertThat(dispatcherThreads() - before).isBetween(1L, (long) EmbeddedSqs.dispatcherThreads());
        }
        assertThat(dispatcherThreads()).as("the actor system stopped with the server").isEqualTo(before);
    }
}
