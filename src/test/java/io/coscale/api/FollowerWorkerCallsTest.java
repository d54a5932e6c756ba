package io.coscale.api;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import com.sun.net.httpserver.HttpServer;
import io.coscale.lease.LeaderLink;
import io.coscale.lease.LeaseItem;
import io.coscale.lease.LeaseStore;
import io.coscale.lease.Leadership;
import io.coscale.local.LocalCloudTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.specification.RequestSpecification;
import jakarta.inject.Inject;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A worker's claim or release on a replica that does not lead: the application follows a leader that this test plays,
 * holding the lease in DynamoDB (renewed while a test runs) and answering at its own address. What the worker gets
 * back, and what reaches the leader. Auth is on ({@link AuthTestProfile}'s application, as deployed).
 */
@QuarkusTest
@QuarkusTestResource(LocalCloudTestResource.class)
@TestProfile(AuthTestProfile.class)
class FollowerWorkerCallsTest {

    private static final String TASK = WorkerResourceTest.TASK_PREFIX + "0123456789abcdef0123456789abcdef";

    /** One call as the played leader received it. */
    record Received(String path, String authorization, String forwardedBy, String body) {
    }

    @Inject
    LeaseStore store;

    @Inject
    Leadership leadership;

    final List<Received> received = new CopyOnWriteArrayList<>();
    volatile int answerStatus;
    volatile String answerBody;
    HttpServer leader;
    ScheduledExecutorService renewals;

    @BeforeEach
    void anotherReplicaLeads() throws IOException {
        leader = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        leader.createContext("/", exchange -> {
            received.add(new Received(exchange.getRequestURI().getPath(),
                    exchange.getRequestHeaders().getFirst("Authorization"),
                    exchange.getRequestHeaders().getFirst(LeaderLink.FORWARDED),
                    new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8)));
            byte[] body = answerBody.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", answerStatus == 200 ? "application/json"
                    : "application/problem+json");
            if (answerStatus == 503) {
                exchange.getResponseHeaders().add("Retry-After", "7");
            }
            exchange.sendResponseHeaders(answerStatus, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        leader.start();
        await().atMost(Duration.ofSeconds(10)).until(leadership::isLeader); // the application's own, to begin with
        String address = "http://127.0.0.1:" + leader.getAddress().getPort();
        renewals = Executors.newSingleThreadScheduledExecutor();
        renewals.scheduleWithFixedDelay(() -> {
            LeaseItem stored = store.read("coscale").orElseThrow();
            LeaseItem next = new LeaseItem("coscale", "played-leader", address,
                    stored.holder().equals("played-leader") ? stored.epoch() : stored.epoch() + 1, stored.version() + 1);
            store.write(next, stored.version());
        }, 0, 300, TimeUnit.MILLISECONDS);
        await().atMost(Duration.ofSeconds(10))
                .until(() -> !leadership.isLeader() && leadership.leaderAddress().equals(Optional.of(address)));
    }

    @AfterEach
    void theApplicationLeadsAgain() throws Exception {
        // Not shutdownNow: an interrupted write aborts its request, and dynalite exits on an aborted request.
        renewals.shutdown();
        renewals.awaitTermination(5, TimeUnit.SECONDS);
        LeaseItem last = store.read("coscale").orElseThrow();
        store.write(new LeaseItem("coscale", last.holder(), last.address(), last.epoch(), last.version() + 1, true),
                last.version());
        await().atMost(Duration.ofSeconds(10)).until(leadership::isLeader);
        leader.stop(0);
    }

    private static RequestSpecification worker() {
        return given().header("Authorization", "Bearer " + AuthTestProfile.WORKER).contentType("application/json");
    }

    @Test
    void aClaimGoesToTheLeaderAsItCameAndItsAnswerComesBack() {
        answerStatus = 200;
        answerBody = "{\"pool\": \"demo\", \"protected\": true, \"expiresAt\": \"2026-12-07T01:00:00Z\", \"drain\": false}";

        worker().body("{\"taskArn\": \"" + TASK + "\", \"pool\": \"demo\"}").post("/v1/claim").then().statusCode(200)
                .body("pool", equalTo("demo")).body("protected", equalTo(true))
                .body("expiresAt", equalTo("2026-12-07T01:00:00Z")).body("drain", equalTo(false));

        assertThat(received).singleElement().satisfies(call -> {
            assertThat(call.path()).isEqualTo("/v1/claim");
            assertThat(call.authorization()).isEqualTo("Bearer " + AuthTestProfile.WORKER);
            assertThat(call.forwardedBy()).isEqualTo(leadership.selfId());
            assertThat(call.body()).contains("\"taskArn\":\"" + TASK + "\"").contains("\"pool\":\"demo\"");
        });
    }

    @Test
    void aReleaseGoesToTheLeaderAndTheLeadersProblemComesBackAsItGaveIt() {
        answerStatus = 403;
        answerBody = "{\"type\": \"https://coscale.io/problems/forbidden\", \"title\": \"Forbidden\", \"status\": 403, "
                + "\"detail\": \"not a task of a managed pool\"}";

        worker().body("{\"taskArn\": \"" + TASK + "\"}").post("/v1/release").then().statusCode(403)
                .contentType("application/problem+json").body("type", equalTo("https://coscale.io/problems/forbidden"))
                .body("detail", equalTo("not a task of a managed pool"));
        assertThat(received).singleElement().satisfies(call -> assertThat(call.path()).isEqualTo("/v1/release"));

        answerStatus = 503;
        answerBody = "{\"type\": \"https://coscale.io/problems/service-unavailable\", \"title\": \"Service Unavailable\", "
                + "\"status\": 503, \"detail\": \"ECS could not be reached\"}";
        worker().body("{\"taskArn\": \"" + TASK + "\"}").post("/v1/release").then().statusCode(503)
                .header("Retry-After", "7").body("detail", equalTo("ECS could not be reached"));
    }

    @Test
    void aCallPassedOnOnceIsNotPassedOnAgain() {
        worker().header(LeaderLink.FORWARDED, "replica-b").body("{\"taskArn\": \"" + TASK + "\"}").post("/v1/claim")
                .then().statusCode(503).header("Retry-After", "1").body("detail", containsString("replica-b"));
        assertThat(received).isEmpty();
    }

    @Test
    void aLeaderThatCannotBeReachedIs503AndNothingChanged() {
        leader.stop(0);
        worker().body("{\"taskArn\": \"" + TASK + "\"}").post("/v1/release").then().statusCode(503)
                .header("Retry-After", "1").body("detail", containsString("no leader reachable"));
    }

    @Test
    void theFollowerChecksTheTokenAndTheBodyItselfAndPassesOnlyAWellFormedCallOn() {
        given().contentType("application/json").body("{\"taskArn\": \"" + TASK + "\"}").post("/v1/claim").then()
                .statusCode(401);
        given().header("Authorization", "Bearer " + AuthTestProfile.READ).contentType("application/json")
                .body("{\"taskArn\": \"" + TASK + "\"}").post("/v1/claim").then().statusCode(403);
        worker().body("{\"taskArn\": ").post("/v1/claim").then().statusCode(400);
        worker().contentType("text/plain").body("{\"taskArn\": \"" + TASK + "\"}").post("/v1/release").then()
                .statusCode(415);
        assertThat(received).isEmpty();

        answerStatus = 400;
        answerBody = "{\"type\": \"https://coscale.io/problems/bad-request\", \"title\": \"Bad Request\", \"status\": 400, "
                + "\"detail\": \"\\\"taskArn\\\" is required\"}";
        worker().body("").post("/v1/claim").then().statusCode(400).body("detail", equalTo("\"taskArn\" is required"));
        assertThat(received).singleElement().satisfies(call -> assertThat(call.body()).isEqualTo("{}"));
    }
}
