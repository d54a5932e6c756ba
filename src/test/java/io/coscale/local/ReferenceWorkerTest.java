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
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
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
 * API that counts claims and answers each claim and release as the test says.
 */
class ReferenceWorkerTest {

    private static final String SERVICE = "svc";

    private final AtomicInteger claims = new AtomicInteger();
    private final AtomicLong receivedAtFirstClaim = new AtomicLong(-1);
    private String claimAnswer = "{}";
    private String releaseAnswer = "{\"decision\": \"continue\"}";
    private final AtomicInteger releasesToCut = new AtomicInteger();
    private EmbeddedSqs sqsServer;
    private SqsClient sqs;
    private HttpServer coscale;
    private ReferenceWorker worker;
    private EcsEmulatorFixture fx;
    private String queueUrl;

    @AfterEach
    void stop() {
        if (fx != null) {
            // Let every worker thread end before SQS goes: a thread still in a long poll holds a connection, and
            // ElasticMQ's stop then waits a minute for it.
            fx.setDesiredCount(SERVICE, 0);
            eventually().until(() -> fx.activeTasks(SERVICE).isEmpty()
                    && stats().tasksStopped() == stats().tasksPlaced());
            fx.close();
        }
        worker.close();
        sqs.close();
        sqsServer.close();
        coscale.stop(0);
    }

    @Test
    void theWorkerClaimsBeforeItsFirstReceive() throws Exception {
        start("0");
        sqs.sendMessage(b -> b.queueUrl(queueUrl).messageBody("{\"seconds\": 0}"));

        eventually().until(() -> stats().jobsCompleted() == 1);
        assertEquals(0, receivedAtFirstClaim.get(), "messages received before the first claim");
    }

    @Test
    void aJobLongerThanTheVisibilityTimeoutIsKeptAndDoneOnce() throws Exception {
        start("0", 1, 2); // a second worker polls all along: it would take the message once it is visible again
        sqs.sendMessage(b -> b.queueUrl(queueUrl).messageBody("{\"seconds\": 3.5}"));

        eventually().atMost(Duration.ofSeconds(20)).until(() -> stats().jobsCompleted() == 1);
        assertEquals(1, stats().jobsReceived(), "received again by the worker while it still worked on it");
        assertEquals(0, stats().workerExitsFailed());
    }

    @Test
    void aDeleteWhoseMessageIsAlreadyGoneDoesNotFailTheWorker() throws Exception {
        start("0");
        sqs.sendMessage(b -> b.queueUrl(queueUrl).messageBody("{\"seconds\": 1.5}"));
        eventually().until(() -> stats().jobsReceived() == 1);

        sqs.purgeQueue(b -> b.queueUrl(queueUrl)); // as if a retried delete came after the first had worked

        eventually().until(() -> stats().jobsCompleted() == 1);
        assertEquals(0, stats().workerExitsFailed());
    }

    @Test
    void aReleaseCutMidAnswerIsRepeatedNotFatal() throws Exception {
        releasesToCut.set(2);
        releaseAnswer = "{\"decision\": \"exit\"}";
        start("0");

        eventually().until(() -> stats().workerExitsClean() >= 1);
        assertEquals(0, stats().workerExitsFailed());
    }

    @Test
    void aWorkerToldToDrainReleasesWithoutTakingWork() throws Exception {
        claimAnswer = "{\"drain\": true}";
        releaseAnswer = "{\"decision\": \"exit\"}";
        start("0");
        sqs.sendMessage(b -> b.queueUrl(queueUrl).messageBody("{\"seconds\": 0}"));

        eventually().until(() -> stats().workerExitsClean() >= 1);
        assertEquals(0, stats().jobsReceived());
        assertThat(visibleMessages()).isEqualTo("1");
    }

    @Test
    void aWorkerStoppedBetweenItsReceiveAndItsHeartbeatWasBusyAndGivesItsMessageBack() throws Exception {
        start("60000-60000"); // a heartbeat claim that would come a minute late
        sqs.sendMessage(b -> b.queueUrl(queueUrl).messageBody("{\"seconds\": 0}"));
        eventually().until(() -> stats().jobsReceived() == 1);

        fx.setDesiredCount(SERVICE, 0);

        eventually().until(() -> stats().tasksStopped() == 1);
        EmulatorStats.Snapshot s = stats();
        assertEquals(1, s.tasksStoppedWhileBusy());
        assertEquals(1, s.jobsReturned());
        assertEquals(0, s.jobsInterrupted());
        assertEquals(1, claims.get()); // the claim before the receive; the heartbeat never came
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
        assertEquals(3, claims.get()); // before the first receive, then a heartbeat per job
    }

    private void start(String claimDelay) throws IOException {
        start(claimDelay, 300, 1);
    }

    private void start(String claimDelay, int visibilityTimeoutSeconds, int tasks) throws IOException {
        sqsServer = EmbeddedSqs.start(LocalCloudTestResource.freePort(), "us-east-1");
        sqs = SqsClient.builder().endpointOverride(URI.create(sqsServer.endpoint())).region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("x", "x")))
                .httpClient(UrlConnectionHttpClient.create()).build();
        queueUrl = sqs.createQueue(b -> b.queueName("work").attributes(Map.of(QueueAttributeName.VISIBILITY_TIMEOUT,
                Integer.toString(visibilityTimeoutSeconds)))).queueUrl();
        coscale = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        coscale.createContext("/v1/claim", exchange -> {
            if (claims.incrementAndGet() == 1) {
                receivedAtFirstClaim.set(stats().jobsReceived());
            }
            reply(exchange, claimAnswer);
        });
        coscale.createContext("/v1/release", exchange -> {
            if (releasesToCut.getAndDecrement() > 0) {
                exchange.getRequestBody().readAllBytes();
                exchange.close(); // no answer at all: coscale killed while it handled the release
                return;
            }
            reply(exchange, releaseAnswer);
        });
        coscale.start();
        worker = new ReferenceWorker();
        fx = EcsEmulatorFixture.start(tasks, new ThreadTaskRunner(worker), Map.of(
                "COSCALE_URL", "http://127.0.0.1:" + coscale.getAddress().getPort(),
                "AWS_ENDPOINT_URL_SQS", sqsServer.endpoint(),
                ReferenceWorker.FIRST_WAIT_ENV, "1",
                ReferenceWorker.CLAIM_DELAY_ENV, claimDelay));
        fx.setUpCluster(2, Map.of("QUEUE_URL", queueUrl));
        fx.createService(SERVICE, tasks);
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
