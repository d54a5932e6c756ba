package io.coscale.api;

import static io.coscale.api.Api.json;
import static io.coscale.api.Api.problem;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;

import io.coscale.local.LocalCloud;
import io.coscale.local.LocalCloudTestResource;
import io.coscale.local.ecs.FaultInjector;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.ecs.model.ProtectedTask;

/**
 * {@code POST /v1/claim} and {@code /v1/release}: who may call them (a live task of a managed pool, named by a
 * well-formed ARN) and what a claim does. Release decisions themselves are covered by the domain and e2e tests;
 * here only the shape of the answer.
 */
@QuarkusTest
@QuarkusTestResource(LocalCloudTestResource.class)
@TestProfile(ApiTestProfile.class)
class WorkerResourceTest {

    static final String TASK_PREFIX = "arn:aws:ecs:us-east-1:000000000000:task/local/";

    @Inject
    EcsClient ecs;

    @Inject
    LocalCloud localCloud;

    @AfterEach
    void clearFaults() {
        localCloud.emulator().orElseThrow().faults().clear();
    }

    /** A well-formed ARN of a task ECS has never heard of (and coscale never cached). */
    static String unknownTask() {
        return TASK_PREFIX + UUID.randomUUID().toString().replace("-", "");
    }

    @ParameterizedTest
    @ValueSource(strings = {"/v1/claim", "/v1/release"})
    void aMissingOrBlankTaskArnIs400(String path) {
        for (String body : new String[] {"{}", "{\"taskArn\": \"\"}", "{\"taskArn\": \"   \"}", "{\"taskArn\": null}",
                "{\"pool\": \"demo\"}"}) {
            problem(json(body).post(path).then(), 400).body("detail", containsString("\"taskArn\" is required"));
        }
        problem(json("").post(path).then(), 400);
    }

    @ParameterizedTest
    @ValueSource(strings = {"/v1/claim", "/v1/release"})
    void aMalformedArnIs400(String path) {
        for (String arn : new String[] {"not-an-arn", "arn:aws:ecs:us-east-1:000000000000:task/0123456789abcdef0123456789abcdef",
                "arn:aws:ecs:us-east-1:000000000000:service/local/demo", TASK_PREFIX + "has spaces", "arn:aws:sqs:us-east-1:1:task/a/b"}) {
            problem(json("{\"taskArn\": \"" + arn + "\"}").post(path).then(), 400)
                    .body("detail", containsString("taskArn must look like arn:aws:ecs"));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"/v1/claim", "/v1/release"})
    void aTaskEcsDoesNotKnowIs403(String path) {
        problem(json("{\"taskArn\": \"" + unknownTask() + "\"}").post(path).then(), 403)
                .body("detail", containsString("not a PENDING or RUNNING task"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"/v1/claim", "/v1/release"})
    void malformedJsonOrTheWrongMediaTypeIsRefused(String path) {
        problem(json("{\"taskArn\": ").post(path).then(), 400).body("detail", containsString("Malformed JSON"));
        problem(given().contentType("text/plain").body("{\"taskArn\": \"x\"}").post(path).then(), 415)
                .body("detail", containsString("application/json"));
    }

    @Test
    void aClaimByALiveTaskProtectsIt() {
        String task = Api.liveDemoTask(ecs, 1);

        Instant expiresAt = Instant.parse(json("{\"taskArn\": \"" + task + "\", \"pool\": \"demo\"}").post("/v1/claim")
                .then().statusCode(200).contentType("application/json")
                .body("pool", equalTo("demo")).body("protected", equalTo(true))
                .extract().path("expiresAt"));

        assertThat(expiresAt).isBetween(Instant.now().plus(Duration.ofMinutes(110)), Instant.now().plus(Duration.ofMinutes(121)));
        ProtectedTask protection = ecs.getTaskProtection(b -> b.cluster("local").tasks(task)).protectedTasks().get(0);
        assertThat(protection.protectionEnabled()).isTrue();
        assertThat(protection.expirationDate()).isAfter(Instant.now().plus(Duration.ofMinutes(100)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"/v1/claim", "/v1/release"})
    void aPoolThatDisagreesWithTheTaskIs403(String path) {
        String task = Api.liveDemoTask(ecs, 1);
        for (String pool : new String[] {"idle", "nope"}) {
            problem(json("{\"taskArn\": \"" + task + "\", \"pool\": \"" + pool + "\"}").post(path).then(), 403)
                    .body("detail", containsString("belongs to pool demo, not " + pool));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"/v1/claim", "/v1/release"})
    void ecsUnreachableIs503WithRetryAfter(String path) {
        localCloud.emulator().orElseThrow().faults()
                .set("DescribeTasks", new FaultInjector.Fault(Duration.ZERO, 1.0, "ServerException"));
        problem(json("{\"taskArn\": \"" + unknownTask() + "\"}").post(path).then(), 503)
                .header("Retry-After", equalTo("1"))
                .body("detail", containsString("could not be reached; nothing changed"));
    }

    @Test
    void aReleaseWhileJobsAreWaitingAnswersContinue() {
        String task = Api.liveDemoTask(ecs, 10);

        // As a worker would, repeat a 503 (nothing changed): an ECS fault of the test before may still be draining.
        io.restassured.response.Response answer = await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200))
                .until(() -> json("{\"taskArn\": \"" + task + "\"}").post("/v1/release"), r -> r.statusCode() != 503);
        answer.then().statusCode(200).contentType("application/json")
                .body("pool", equalTo("demo"))
                .body("decision", equalTo("continue"))
                .body("desiredCount", greaterThanOrEqualTo(1))
                .body("reason", containsString("visible message"));
    }
}
