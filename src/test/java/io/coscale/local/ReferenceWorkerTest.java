package io.coscale.local;

import static io.coscale.local.ecs.EcsEmulatorFixture.eventually;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.coscale.local.ecs.EcsEmulatorFixture;
import io.coscale.local.ecs.EmulatorStats;
import io.coscale.local.sqs.EmbeddedSqs;
import io.coscale.local.task.ThreadTaskRunner;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * The reference worker against real SQS (embedded ElasticMQ), the ECS emulator, and a stub of coscale's worker
 * API that counts claims and answers every release with {@code exit}.
 */
class ReferenceWorkerTest {

    private static final String SERVICE = "svc";

    private final AtomicInteger claims = new AtomicInteger();
    private EmbeddedSqs sqsServer;
    private SqsClient sqs;
    private HttpServer coscale;
    private ReferenceWorker worker;
    private EcsEmulatorFixture fx;
    private String queueUrl;

    @AfterEach
    void stop() {
        if (fx != null) {
            fx.close();
        }
        worker.close();
        sqs.close();
        sqsServer.close();
        coscale.stop(0);
    }

    @Test
    void aWorkerStoppedBetweenItsReceiveAndItsClaimWasBusyAndGivesItsMessageBack() throws Exception {
        start("60000-60000"); // a claim that would come a minute late
        sqs.sendMessage(b -> b.queueUrl(queueUrl).messageBody("{\"seconds\": 0}"));
        eventually().until(() -> stats().jobsReceived() == 1);

        fx.setDesiredCount(SERVICE, 0);

        eventually().until(() -> stats().tasksStopped() == 1);
        EmulatorStats.Snapshot s = stats();
        assertEquals(1, s.tasksStoppedWhileBusy());
        assertEquals(1, s.jobsReturned());
        assertEquals(0, s.jobsInterrupted());
        assertEquals(0, claims.get());
        assertThat(visibleMessages()).isEqualTo("1"); // back at once, not after the visibility timeout
    }

    @Test
    void aWorkerReportsTheReceiveClaimsThenDeletes() throws Exception {
        start("0");
        sqs.sendMessage(b -> b.queueUrl(queueUrl).messageBody("{\"seconds\": 0}"));
        sqs.sendMessage(b -> b.queueUrl(queueUrl).messageBody("{\"fail\": true}"));

        eventually().until(() -> stats().jobsCompleted() + stats().jobsFailed() == 2);
        EmulatorStats.Snapshot s = stats();
        assertEquals(2, s.jobsReceived());
        assertEquals(1, s.jobsCompleted());
        assertEquals(1, s.jobsFailed());
        assertEquals(2, claims.get());
    }

    private void start(String claimDelay) throws IOException {
        sqsServer = EmbeddedSqs.start(LocalCloudTestResource.freePort(), "us-east-1");
        sqs = SqsClient.builder().endpointOverride(URI.create(sqsServer.endpoint())).region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("x", "x")))
                .httpClient(UrlConnectionHttpClient.create()).build();
        queueUrl = sqs.createQueue(b -> b.queueName("work").attributes(Map.of(QueueAttributeName.VISIBILITY_TIMEOUT, "300")))
                .queueUrl();
        coscale = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        coscale.createContext("/v1/claim", exchange -> {
            claims.incrementAndGet();
            reply(exchange, "{}");
        });
        coscale.createContext("/v1/release", exchange -> reply(exchange, "{\"decision\": \"continue\"}"));
        coscale.start();
        worker = new ReferenceWorker();
        fx = EcsEmulatorFixture.start(1, new ThreadTaskRunner(worker), Map.of(
                "COSCALE_URL", "http://127.0.0.1:" + coscale.getAddress().getPort(),
                "AWS_ENDPOINT_URL_SQS", sqsServer.endpoint(),
                ReferenceWorker.FIRST_WAIT_ENV, "1",
                ReferenceWorker.CLAIM_DELAY_ENV, claimDelay));
        fx.setUpCluster(2, Map.of("QUEUE_URL", queueUrl));
        fx.createService(SERVICE, 1);
    }

    private static void reply(HttpExchange exchange, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getRequestBody().readAllBytes();
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(200, bytes.length);
        exchange.getResponseBody().write(bytes);
        exchange.close();
    }

    private String visibleMessages() {
        return sqs.getQueueAttributes(b -> b.queueUrl(queueUrl).attributeNames(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES))
                .attributes().get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES);
    }

    private EmulatorStats.Snapshot stats() {
        return fx.emulator.stats().snapshot();
    }
}
