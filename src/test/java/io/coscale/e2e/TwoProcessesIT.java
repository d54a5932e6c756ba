package io.coscale.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.coscale.deploy.RecordedAwsCalls;
import io.coscale.local.LocalCloudTestResource;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The packaged application as docs/LOCAL-CLOUD.md shows it: the local cloud alone ({@code cloud} profile) and coscale beside
 * it ({@code attached} profile), two processes on free ports. Jobs go through coscale, the cloud's workers run
 * them, coscale is killed -9 and restarted while the cloud and its tasks live on, and the cloud's fault control
 * takes a fault set, refuses a bad one, and switches everything off.
 */
@ExtendWith(RecordedAwsCalls.class)
class TwoProcessesIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();
    private static final int SQS = LocalCloudTestResource.freePort();
    private static final int ECS = LocalCloudTestResource.freePort();
    private static final int CLOUD = LocalCloudTestResource.freePort();
    private static final int COSCALE = LocalCloudTestResource.freePort();

    private static AppProcess cloud;
    private static AppProcess coscale;

    @BeforeAll
    static void startBoth() throws Exception {
        Path logs = Path.of("target", "two-processes");
        Map.Entry<String, String> recordCalls = RecordedAwsCalls.property();
        cloud = new AppProcess("cloud", "cloud", Map.of("quarkus.http.port", Integer.toString(CLOUD),
                "coscale.local.sqs-port", Integer.toString(SQS), "coscale.local.ecs-port", Integer.toString(ECS),
                "coscale.local.coscale-url", "http://127.0.0.1:" + COSCALE, "coscale.local.task-start-delay", "200ms",
                "coscale.local.worker-first-wait", "1s", recordCalls.getKey(),
                recordCalls.getValue()), logs.resolve("cloud.log"), uri(CLOUD, "/local/v1/stats"));
        coscale = new AppProcess("coscale", "attached", Map.of("quarkus.http.port", Integer.toString(COSCALE),
                "coscale.local.sqs-port", Integer.toString(SQS), "coscale.local.ecs-port", Integer.toString(ECS),
                "coscale.reconcile.interval", "2s"), logs.resolve("coscale.log"), uri(COSCALE, "/q/health/live"));
        cloud.start(Duration.ofSeconds(90));
        coscale.start(Duration.ofSeconds(90));
    }

    @AfterAll
    static void stopBoth() throws Exception {
        if (coscale != null) {
            coscale.close();
        }
        if (cloud != null) {
            cloud.close();
        }
    }

    @Test
    void jobsCompleteThroughAKill9AndRestartOfCoscaleWhileTheCloudLivesOn() throws Exception {
        submit(3);
        await().atMost(Duration.ofSeconds(60)).until(() -> cloudStats().path("jobsCompleted").asLong() == 3);

        coscale.kill9();
        assertThat(send("GET", uri(CLOUD, "/local/v1/stats"), null).statusCode()).isEqualTo(200);
        coscale.start(Duration.ofSeconds(90));
        submit(2);

        await().atMost(Duration.ofSeconds(60)).until(() -> cloudStats().path("jobsCompleted").asLong() == 5);
        await().atMost(Duration.ofSeconds(60)).until(() -> {
            JsonNode pool = json(send("GET", uri(COSCALE, "/v1/pools/demo"), null));
            return pool.path("desiredCount").asInt(-1) == 0;
        });
        JsonNode stats = cloudStats();
        assertThat(stats.path("tasksStoppedWhileBusy").asLong()).as("busy tasks stopped").isZero();
        assertThat(stats.path("sqsProxy").path("requests").asLong()).as("SQS calls through the proxy").isPositive();
        assertThat(coscale.starts()).isEqualTo(2);
    }

    @Test
    void theCloudsFaultControlTakesAWholeSetRefusesABadOneAndClears() throws Exception {
        String faults = "{\"ecs\": {\"*\": {\"latencyMs\": 5, \"errorRate\": 0.1, \"afterApplyDropRate\": 0.05}}, "
                + "\"ecsStaleReadsMs\": 500, \"taskDeathsPerMinute\": 1, \"sqs\": {\"latencyMs\": 1, \"resetRate\": 0.01}}";
        JsonNode set = json(send("PUT", uri(CLOUD, "/local/v1/faults"), faults));
        assertThat(set.path("ecs").path("*").path("errorRate").asDouble()).isEqualTo(0.1);
        assertThat(set.path("ecs").path("*").path("errorType").asText()).isEqualTo("ServerException");
        assertThat(set.path("ecsStaleReadsMs").asLong()).isEqualTo(500);
        assertThat(set.path("sqs").path("resetRate").asDouble()).isEqualTo(0.01);

        HttpResponse<String> bad = send("PUT", uri(CLOUD, "/local/v1/faults"), "{\"ecs\": {\"*\": {\"errorRate\": 2}}}");
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(bad.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).contains("problem+json"));
        assertThat(json(bad).path("detail").asText()).contains("errorRate");
        assertThat(json(send("GET", uri(CLOUD, "/local/v1/faults"), null)).path("ecsStaleReadsMs").asLong())
                .as("a refused set changes nothing").isEqualTo(500);

        JsonNode cleared = json(send("DELETE", uri(CLOUD, "/local/v1/faults"), null));
        assertThat(cleared.path("ecs").size()).isZero();
        assertThat(cleared.path("taskDeathsPerMinute").asDouble()).isZero();
        assertThat(send("GET", uri(COSCALE, "/local/v1/stats"), null).statusCode())
                .as("the attached coscale runs no cloud of its own").isEqualTo(404);
    }

    private static void submit(int jobs) throws Exception {
        for (int i = 0; i < jobs; i++) {
            HttpResponse<String> r = send("POST", uri(COSCALE, "/v1/pools/demo/jobs"), "{\"payload\": {\"seconds\": 0.5}}");
            assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
        }
    }

    private static JsonNode cloudStats() throws IOException, InterruptedException {
        return json(send("GET", uri(CLOUD, "/local/v1/stats"), null));
    }

    private static HttpResponse<String> send(String method, URI uri, String body) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).header("Content-Type",
                "application/json").method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode json(HttpResponse<String> response) throws IOException {
        return JSON.readTree(response.body());
    }

    private static URI uri(int port, String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }
}
