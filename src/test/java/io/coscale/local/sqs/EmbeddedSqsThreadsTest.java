package io.coscale.local.sqs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * ElasticMQ's dispatchers are sized to the machine, not to Pekko's defaults of at least 8 and 4 threads, and its
 * actor system stops with the server (coscale gives ElasticMQ the system, so ElasticMQ would not stop it).
 */
class EmbeddedSqsThreadsTest {

    private static final String DISPATCHER = "elasticmq-pekko.actor.default-dispatcher";

    private static long dispatcherThreads() {
        return threads(DISPATCHER);
    }

    private static Set<Thread> live(String prefix) {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.isAlive() && t.getName().startsWith(prefix))
                .collect(Collectors.toSet());
    }

    private static long threads(String prefix) {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.isAlive() && t.getName().startsWith(prefix))
                .count();
    }

    @Test
    void theDispatchersHaveAThreadPerCoreAndStopWithTheServer() {
        long before = dispatcherThreads();
        Set<Thread> earlier = live(DISPATCHER);
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
        // The system is terminated when close returns; its threads take a moment more to end, and an earlier test's
        // may still be ending too: none but those may be left.
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(live(DISPATCHER))
                .as("the actor system stopped with the server").isSubsetOf(earlier));
    }
}
