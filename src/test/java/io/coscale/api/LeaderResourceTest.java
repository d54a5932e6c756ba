package io.coscale.api;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.notNullValue;

import io.coscale.local.LocalCloudTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** {@code GET /v1/leader} and the lease metrics, in local mode: one replica, the in-memory lease, so it leads. */
@QuarkusTest
@QuarkusTestResource(LocalCloudTestResource.class)
@TestProfile(ApiTestProfile.class)
class LeaderResourceTest {

    @Test
    void theOnlyReplicaLeadsAndSaysSo() {
        given().get("/v1/leader").then().statusCode(200).contentType("application/json")
                .body("leader", notNullValue())
                .body("self", equalTo(true))
                .body("epoch", greaterThanOrEqualTo(1))
                .body("address", matchesPattern("http://.+:\\d+"));
    }

    @Test
    void metricsShowTheLeaseWithHelpText() {
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> given().get("/q/metrics").then().statusCode(200)
                .body(containsString("# HELP coscale_leader "))
                .body(containsString("coscale_leader 1.0"))
                .body(containsString("# HELP coscale_lease_epoch "))
                .body(matchesPattern("(?s).*\\ncoscale_lease_epoch [1-9][0-9.]*\\n.*"))
                .body(containsString("# HELP coscale_lease_takeovers "))
                .body(containsString("coscale_lease_takeovers_total 1.0")));
    }
}
