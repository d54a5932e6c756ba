package io.coscale.local.sqs;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * ElasticMQ's dispatchers are sized to the machine, not to Pekko's defaults of at least 8 and 4 threads, and its
 * actor system stops with the server (coscale gives ElasticMQ the system, so ElasticMQ would not stop it).
 */
class EmbeddedSqsThreadsTest {

    private static long dispatcherThreads() {
        return threads("elasticmq-pekko.actor.default-dispatcher");
    }

    private static long threads(String prefix) {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.isAlive() && t.getName().startsWith(prefix))
                .count();
    }

    @Test
    void theDispatchersHaveAThreadPerCoreAndStopWithTheServer() {
        long before = dispatcherThreads();
        long internalBefore = threads("elasticmq-pekko.actor.internal-dispatcher");
        try (EmbeddedSqs sqs = EmbeddedSqs.start(0, "us-east-1");
                SqsClient client = SqsFaultProxyTest.client(sqs.endpoint())) {
            String url = client.createQueue(b -> b.queueName("busy")).queueUrl();
            IntStream.range(0, 200).parallel().forEach(i -> client.sendMessage(b -> b.queueUrl(url).messageBody("m" + i)));

            assertThat(EmbeddedSqs.dispatcherThreads()).isEqualTo(Math.max(2, Runtime.getRuntime().availableProcessors()));
            assertThat(dispatcherThreads() - before).isBetween(1L, (long) EmbeddedSqs.dispatcherThreads());
            assertThat(threads("elasticmq-pekko.actor.internal-dispatcher") - internalBefore)
                    .as("Pekko HTTP's internal dispatcher, at least 4 threads by default")
                    .isBetween(1L, (long) EmbeddedSqs.dispatcherThreads());
        }
        assertThat(dispatcherThreads()).as("the actor system stopped with the server").isEqualTo(before);
    }
}
