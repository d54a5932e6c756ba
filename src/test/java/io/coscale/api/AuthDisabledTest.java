package io.coscale.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;

import io.coscale.api.problem.Problem;
import io.coscale.local.LocalCloudTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

/**
 * With the test profile's own {@code coscale.auth.enabled=false}, nothing is asked for a token. Also shows that
 * the probe resource is absent outside {@link AuthTestProfile}, so it cannot shadow real endpoints in other tests.
 */
@QuarkusTest
@QuarkusTestResource(LocalCloudTestResource.class)
class AuthDisabledTest {

    @Test
    void noTokenNeededWhenAuthIsOff() {
        // 404 rather than 401: the filter let the request through, and no probe exists in this profile.
        given().when().get("/v1/pools/probe-pool").then().statusCode(404)
                .contentType(Problem.MEDIA_TYPE)
                .body("type", equalTo("https://coscale.io/problems/not-found"));
        given().when().get("/local/v1/probe").then().statusCode(404);
    }
}
