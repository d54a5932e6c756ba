package io.coscale.api;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.ecs.model.DesiredStatus;

/**
 * Worker tokens bound to pools ({@code coscale.auth.tokens.<name>.pools}): a worker of one pool can neither claim
 * nor release a task of another, so it can neither unprotect nor scale down what is not its own; the pool's own
 * token works as an unbound one.
 */
@QuarkusTest
@TestProfile(AuthTestProfile.class)
class WorkerTokenPoolsTest {

    @Inject
    EcsClient ecs;

    @ParameterizedTest
    @ValueSource(strings = {"/v1/claim", "/v1/release"})
    void aTokenBoundToAnotherPoolIs403AndChangesNothing(String path) {
        String task = liveDemoTask();
        int desired = desiredCount();
        Boolean protectedBefore = isProtected(task);

        given().auth().oauth2(AuthTestProfile.GPU_WORKER).contentType(ContentType.JSON)
                .body("{\"taskArn\": \"" + task + "\"}").when().post(path)
                .then().statusCode(403).contentType("application/problem+json")
                .body("detail", containsString("belongs to pool demo, which this credential may not act on (its pools: gpu)"));

        assertThat(desiredCount()).as("desiredCount").isEqualTo(desired);
        assertThat(isProtected(task)).as("the task's protection").isEqualTo(protectedBefore);
    }

    @Test
    void thePoolsOwnTokenClaimsItsTask() {
        String task = liveDemoTask();
        given().auth().oauth2(AuthTestProfile.DEMO_WORKER).contentType(ContentType.JSON)
                .body("{\"taskArn\": \"" + task + "\"}").when().post("/v1/claim")
                .then().statusCode(200).body("pool", equalTo("demo"));
    }

    /** A RUNNING task of the demo pool, started by jobs submitted with the submit token. */
    private String liveDemoTask() {
        given().auth().oauth2(AuthTestProfile.SUBMIT).contentType(ContentType.JSON)
                .body("{\"payload\": {\"seconds\": 3}}").when().post("/v1/pools/demo/jobs").then().statusCode(202);
        return await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50))
                .until(() -> ecs.listTasks(b -> b.cluster("local").serviceName("demo").desiredStatus(DesiredStatus.RUNNING))
                        .taskArns(), arns -> !arns.isEmpty()).get(0);
    }

    private int desiredCount() {
        return ecs.describeServices(b -> b.cluster("local").services("demo")).services().get(0).desiredCount();
    }

    private Boolean isProtected(String task) {
        List<software.amazon.awssdk.services.ecs.model.ProtectedTask> found = ecs.getTaskProtection(b -> b.cluster("local")
                .tasks(task)).protectedTasks();
        return found.isEmpty() ? null : found.get(0).protectionEnabled();
    }
}
