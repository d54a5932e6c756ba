package io.coscale.e2e;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import io.coscale.control.Reconciler;
import io.coscale.deploy.RecordedAwsCalls;
import io.coscale.local.LocalCloud;
import io.coscale.local.LocalCloudTestResource;
import io.coscale.local.ecs.FaultInjector;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.ecs.model.DesiredStatus;
import software.amazon.awssdk.services.sqs.SqsClient;

/** The control plane's guarantees in local mode, through its API, the real SDK clients and the emulator. */
@QuarkusTest
@QuarkusTestResource(LocalCloudTestResource.class)
@WithTestResource(RecordedAwsCalls.class)
@ExtendWith(RecordedAwsCalls.class)
class ControlPlaneEndToEndTest {

    final EcsClient ecs = HarnessClients.ecs();

    final SqsClient sqs = HarnessClients.sqs();

    @Inject
    Reconciler reconciler;

    @Inject
    LocalCloud localCloud;

    @AfterEach
    void clearFaults() {
        localCloud.emulator().orElseThrow().faults().clear();
    }

    @Test
    void aReleaseOfAForeignTaskChangesNothing() {
        Demo.awaitSettled();
        String foreignTask = startForeignTask();
        long callsBefore = Demo.updateServiceCalls();
        int desiredBefore = Demo.status().getInt("desiredCount");

        for (String path : List.of("/v1/release", "/v1/claim")) {
            given().contentType(ContentType.JSON).body("{\"taskArn\": \"" + foreignTask + "\"}").post(path)
                    .then().statusCode(403).contentType("application/problem+json")
                    .body("detail", containsString("not a managed pool"));
        }
        String unknownTask = foreignTask.substring(0, foreignTask.lastIndexOf('/') + 1) + "0123456789abcdef0123456789abcdef";
        given().contentType(ContentType.JSON).body("{\"taskArn\": \"" + unknownTask + "\"}").post("/v1/release")
                .then().statusCode(403);
        given().contentType(ContentType.JSON).body("{\"taskArn\": \"not-an-arn\"}").post("/v1/release")
                .then().statusCode(400);

        assertThat(Demo.updateServiceCalls()).isEqualTo(callsBefore);
        assertThat(Demo.status().getInt("desiredCount")).isEqualTo(desiredBefore);
        assertThat(ecs.describeServices(b -> b.cluster("local").services("foreign")).services().get(0).desiredCount()).isEqualTo(1);
        ecs.updateService(b -> b.cluster("local").service("foreign").desiredCount(0));
    }

    @Test
    void jobsSentStraightToSqsArePickedUpByTheReconciler() {
        Demo.awaitSettled();
        long completedBefore = Demo.stat("jobsCompleted");
        String queueUrl = Demo.status().getString("queueUrl");
        for (int i = 0; i < 3; i++) {
            sqs.sendMessage(b -> b.queueUrl(queueUrl).messageBody("{\"seconds\": 0.1}"));
        }
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(Demo.stat("jobsCompleted") - completedBefore).isEqualTo(3));
        given().get("/v1/pools/demo/events?limit=50").then().statusCode(200)
                .body("find { it.kind == 'reconcile' && it.from == 0 }.reason", containsString("outstanding"));
        Demo.awaitSettled();
    }

    @Test
    void aScaleUpThatEcsRefusesIsRetriedUntilItLands() {
        Demo.awaitSettled();
        FaultInjector faults = localCloud.emulator().orElseThrow().faults();
        faults.set("UpdateService", new FaultInjector.Fault(Duration.ZERO, 1.0, "ServerException"));
        long completedBefore = Demo.stat("jobsCompleted");

        Demo.submit("{\"seconds\": 0.1}");
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(Demo.status().getString("lastError")).contains("ServerException"));
        assertThat(Demo.status().getInt("desiredCount")).isZero();

        faults.clear();
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(Demo.stat("jobsCompleted") - completedBefore).isEqualTo(1));
        Demo.awaitSettled();
    }

    @Test
    void aConvergedPoolIsLeftAlone() {
        Demo.awaitSettled();
        long callsBefore = Demo.updateServiceCalls();
        reconciler.reconcileAll();
        reconciler.reconcileAll();
        assertThat(Demo.updateServiceCalls()).isEqualTo(callsBefore);
        given().get("/v1/pools/demo").then().statusCode(200).body("desiredCount", equalTo(0))
                .body("lastReconcileAt", org.hamcrest.Matchers.notNullValue());
    }

    @Test
    void readyOnceAReconcilePassHasReachedEcsAndSqs() {
        reconciler.reconcileAll();
        given().get("/q/health/ready").then().statusCode(200)
                .body("status", equalTo("UP"))
                .body("checks.find { it.name == 'coscale-control-plane' }.data.ecsReachable", equalTo(true))
                .body("checks.find { it.name == 'coscale-control-plane' }.data.sqsReachable", equalTo(true))
                .body("checks.find { it.name == 'coscale-control-plane' }.data.reason", equalTo("leader"))
                .body("checks.find { it.name == 'coscale-control-plane' }.data.leaseStoreAnsweredAgo",
                        org.hamcrest.Matchers.endsWith(" ms"));
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> given().get("/q/health/live").then().statusCode(200)
                .body("status", equalTo("UP"))
                .body("checks.find { it.name == 'coscale-loops' }.data.reason", equalTo("every loop ticks"))
                .body("checks.find { it.name == 'coscale-loops' }.data.schedulerTickedAgo", org.hamcrest.Matchers.endsWith(" ms"))
                .body("checks.find { it.name == 'coscale-loops' }.data.eventLoopTickedAgo", org.hamcrest.Matchers.endsWith(" ms")));
    }

    @Test
    void notReadyWhileEcsFails() {
        FaultInjector faults = localCloud.emulator().orElseThrow().faults();
        faults.set("DescribeServices", new FaultInjector.Fault(Duration.ZERO, 1.0, "ServerException"));
        reconciler.reconcileAll();
        given().get("/q/health/ready").then().statusCode(503)
                .body("checks.find { it.name == 'coscale-control-plane' }.data.ecsReachable", equalTo(false));
        // Liveness is about coscale's own loop, not its dependencies: no restart for an ECS outage.
        given().get("/q/health/live").then().statusCode(200);
        faults.clear();
        reconciler.reconcileAll();
        given().get("/q/health/ready").then().statusCode(200);
    }

    /** Starts one task of a service coscale does not manage, in the same cluster, and returns its ARN. */
    private String startForeignTask() {
        boolean exists = !ecs.describeServices(b -> b.cluster("local").services("foreign")).services().isEmpty();
        if (!exists) {
            // Its own queue: the foreign task's worker must not take the demo pool's jobs.
            String queueUrl = sqs.createQueue(b -> b.queueName("foreign")).queueUrl();
            ecs.registerTaskDefinition(b -> b.family("foreign-worker").containerDefinitions(c -> c.name("worker")
                    .image("foreign").environment(software.amazon.awssdk.services.ecs.model.KeyValuePair.builder()
                            .name("QUEUE_URL").value(queueUrl).build())));
            ecs.createService(b -> b.cluster("local").serviceName("foreign").taskDefinition("foreign-worker").desiredCount(1));
        } else {
            ecs.updateService(b -> b.cluster("local").service("foreign").desiredCount(1));
        }
        return await().atMost(Duration.ofSeconds(10)).until(() -> ecs.listTasks(b -> b.cluster("local")
                .serviceName("foreign").desiredStatus(DesiredStatus.RUNNING)).taskArns(), arns -> !arns.isEmpty()).get(0);
    }
}
