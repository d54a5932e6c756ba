package io.coscale.local;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.notNullValue;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.ecs.model.Service;

/** Local mode as the application starts it: the demo resources exist and the stats endpoint answers. */
@QuarkusTest
@QuarkusTestResource(LocalCloudTestResource.class)
class LocalCloudTest {

    @Inject
    EcsClient ecs;

    @Test
    void demoServiceExistsInTheEmulator() {
        assertThat(ecs.listClusters().clusterArns()).anyMatch(arn -> arn.endsWith(":cluster/local"));
        Service demo = ecs.describeServices(b -> b.cluster("local").services("demo")).services().get(0);
        assertThat(demo.status()).isEqualTo("ACTIVE");
        assertThat(demo.taskDefinition()).endsWith("task-definition/demo-worker:1");
    }

    @Test
    void statsReportTheEmulatorsCounters() {
        ecs.listClusters();
        given().when().get("/local/v1/stats").then()
                .statusCode(200)
                .body("apiCalls.ListClusters", greaterThanOrEqualTo(1))
                .body("throttled", notNullValue())
                .body("tasksStarted", notNullValue())
                .body("tasksStoppedWhileBusy", notNullValue())
                .body("jobsCompleted", notNullValue())
                .body("jobsInterrupted", notNullValue());
    }
}
