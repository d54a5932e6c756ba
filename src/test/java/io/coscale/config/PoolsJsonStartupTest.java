package io.coscale.config;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;

import io.coscale.api.ApiTestProfile;
import io.coscale.local.LocalCloudTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import org.junit.jupiter.api.Test;

/**
 * The factory registered in META-INF/services as Quarkus starts: a pool written only in
 * {@code coscale.pools-json} (COSCALE_POOLS_JSON on ECS) is one of coscale's pools, beside the demo pool of
 * application.properties ({@link ApiTestProfile}'s {@code fromjson}). Its service does not exist in the emulator; only
 * its configuration is looked at.
 */
@QuarkusTest
@QuarkusTestResource(LocalCloudTestResource.class)
@TestProfile(ApiTestProfile.class)
class PoolsJsonStartupTest {

    @Test
    void aPoolDefinedOnlyInThePoolsJsonIsManaged() {
        given().when().get("/v1/pools/fromjson").then().statusCode(200)
                .body("name", equalTo("fromjson"))
                .body("service", equalTo("fromjson"))
                .body("mode", equalTo("cooperative"))
                .body("maxTasks", equalTo(3));
    }
}
