package io.coscale.e2e;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.coscale.local.LocalCloudTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The whole system in local mode: jobs in, tasks up, jobs done, tasks back down, no busy task killed. */
@QuarkusTest
@QuarkusTestResource(LocalCloudTestResource.class)
class DemoPoolEndToEndTest {

    @Test
    void fiftyJobsCompleteAndThePoolShrinksBack() {
        for (int i = 0; i < 50; i++) {
            given().contentType(ContentType.JSON).body("{\"payload\": {\"seconds\": 0.2}}")
                    .post("/v1/pools/demo/jobs").then().statusCode(202);
        }
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
                assertThat(given().get("/local/v1/stats").then().extract().jsonPath().getLong("jobsCompleted")).isEqualTo(50));
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
                assertThat(given().get("/v1/pools/demo").then().extract().jsonPath().getInt("desiredCount")).isZero());
        System.out.println(given().get("/local/v1/stats").asString());
        System.out.println(given().get("/v1/pools/demo/events?limit=100").asString());
    }
}
