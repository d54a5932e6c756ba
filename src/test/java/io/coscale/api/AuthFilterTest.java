package io.coscale.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.oneOf;
import static org.hamcrest.Matchers.startsWith;

import io.coscale.api.problem.Problem;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;
import org.junit.jupiter.api.Test;

/** Bearer auth end to end: 401 and 403 as problems, each role reaching what it may, {@code /q} open. */
@QuarkusTest
@TestProfile(AuthTestProfile.class)
class AuthFilterTest {

    private static final String JOBS = "/v1/pools/probe-pool/jobs";

    private static RequestSpecification as(String secret) {
        return given().header("Authorization", "Bearer " + secret);
    }

    @Test
    void noHeaderIs401ProblemWithBearerChallenge() {
        given().contentType(ContentType.JSON).body("{}")
                .when().post(JOBS)
                .then().statusCode(401)
                .contentType(Problem.MEDIA_TYPE)
                .header("WWW-Authenticate", startsWith("Bearer"))
                .header("WWW-Authenticate", not(containsString("invalid_token")))
                .body("type", equalTo("https://coscale.io/problems/unauthorized"))
                .body("title", equalTo("Unauthorized"))
                .body("status", equalTo(401))
                .body("detail", containsString("Bearer"));
    }

    @Test
    void unknownTokenIs401InvalidToken() {
        as("not-a-configured-secret").contentType(ContentType.JSON).body("{}")
                .when().post(JOBS)
                .then().statusCode(401)
                .contentType(Problem.MEDIA_TYPE)
                .header("WWW-Authenticate", containsString("error=\"invalid_token\""))
                .body("detail", not(containsString("not-a-configured-secret")));
    }

    @Test
    void wrongSchemeIs401() {
        given().header("Authorization", "Basic " + AuthTestProfile.ADMIN)
                .when().get("/v1/pools/probe-pool")
                .then().statusCode(401)
                .contentType(Problem.MEDIA_TYPE)
                .header("WWW-Authenticate", startsWith("Bearer"));
    }

    @Test
    void schemeIsCaseInsensitive() {
        given().header("Authorization", "bearer " + AuthTestProfile.READ)
                .when().get("/v1/pools/probe-pool")
                .then().statusCode(200);
    }

    @Test
    void theStatusPageIsOpenAndTheSamplesItReadsNeedTheReadRole() {
        given().when().get("/").then().statusCode(200).contentType(containsString("text/html"))
                .body(containsString("status.js"));
        given().when().get("/vendor/uPlot.iife.min.js").then().statusCode(200);
        given().when().get("/v1/pools/demo/samples").then().statusCode(401).contentType(Problem.MEDIA_TYPE);
        as(AuthTestProfile.SUBMIT).when().get("/v1/pools/demo/samples").then().statusCode(403);
        as(AuthTestProfile.READ).when().get("/v1/pools/demo/samples").then().statusCode(200);
    }

    @Test
    void unknownPathUnderV1Is401NotAMapOfTheApi() {
        given().when().get("/v1/does-not-exist").then().statusCode(401).contentType(Problem.MEDIA_TYPE);
    }

    @Test
    void wrongRoleIs403Problem() {
        as(AuthTestProfile.READ).contentType(ContentType.JSON).body("{}")
                .when().post(JOBS)
                .then().statusCode(403)
                .contentType(Problem.MEDIA_TYPE)
                .body("type", equalTo("https://coscale.io/problems/forbidden"))
                .body("status", equalTo(403))
                .body("detail", containsString("'submit'"));
        as(AuthTestProfile.SUBMIT).when().get("/v1/pools/probe-pool").then().statusCode(403);
        as(AuthTestProfile.WORKER).when().get("/local/v1/probe").then().statusCode(403);
        as(AuthTestProfile.SUBMIT).when().get("/v1/probe/errors/bad-request").then().statusCode(403);
    }

    @Test
    void eachRoleReachesItsEndpoints() {
        as(AuthTestProfile.SUBMIT).contentType(ContentType.JSON).body("{\"payload\": 1}")
                .when().post(JOBS)
                .then().statusCode(200).body("caller", equalTo("ci"));
        // RestAssured would send ':' as %3A, which quarkus-rest does not match against a literal ':'.
        as(AuthTestProfile.SUBMIT).urlEncodingEnabled(false).contentType(ContentType.JSON)
                .body("{\"jobs\": [{\"payload\": 1}]}")
                .when().post(JOBS + ":batch")
                .then().statusCode(200).body("count", equalTo(1));
        as(AuthTestProfile.READ).when().get("/v1/pools/probe-pool")
                .then().statusCode(200).body("caller", equalTo("dashboard"));
        as(AuthTestProfile.READ).when().get("/v1/leader").then().statusCode(200);
        as(AuthTestProfile.SUBMIT).when().get("/v1/leader").then().statusCode(403);
    }

    @Test
    void onlyTheReplicaTokenPassesCountsSoNoSubmitterCanForceAPoolsCount() {
        String counted = "/v1/pools/demo/jobs:counted";
        as(AuthTestProfile.SUBMIT).urlEncodingEnabled(false).contentType(ContentType.JSON).body("{\"jobs\": 1000}")
                .when().post(counted).then().statusCode(403);
        as(AuthTestProfile.WORKER).urlEncodingEnabled(false).contentType(ContentType.JSON).body("{\"jobs\": 1000}")
                .when().post(counted).then().statusCode(403);
        // Past the filter: this replica leads, so the leader's own answer (not 401/403).
        as(AuthTestProfile.REPLICA).urlEncodingEnabled(false).contentType(ContentType.JSON).body("{\"jobs\": 0}")
                .when().post(counted).then().statusCode(not(oneOf(401, 403)));
    }

    @Test
    void workerPassesTheFilterForClaimAndRelease() {
        // No probe exists for these paths (it would clash with the real resources), so "passes the filter"
        // means: anything but 401/403 (404 today, the real resource's answer once it exists).
        for (String path : new String[] {"/v1/claim", "/v1/release"}) {
            as(AuthTestProfile.WORKER).contentType(ContentType.JSON).body("{}")
                    .when().post(path)
                    .then().statusCode(not(oneOf(401, 403)));
            as(AuthTestProfile.SUBMIT).contentType(ContentType.JSON).body("{}")
                    .when().post(path)
                    .then().statusCode(403);
        }
    }

    @Test
    void adminCanDoEverything() {
        as(AuthTestProfile.ADMIN).contentType(ContentType.JSON).body("{}").when().post(JOBS)
                .then().statusCode(200).body("caller", equalTo("ops"));
        as(AuthTestProfile.ADMIN).when().get("/v1/pools/probe-pool").then().statusCode(200);
        as(AuthTestProfile.ADMIN).when().get("/local/v1/probe").then().statusCode(200);
        as(AuthTestProfile.ADMIN).contentType(ContentType.JSON).body("{}").when().post("/v1/claim")
                .then().statusCode(not(oneOf(401, 403)));
    }

    @Test
    void pathTricksDoNotBypassAuth() {
        given().when().get("//v1/pools/probe-pool").then().statusCode(not(200));
        given().when().get("/open/../v1/pools/probe-pool").then().statusCode(not(200));
    }

    @Test
    void operationsEndpointsAndOtherPathsAreOpen() {
        given().when().get("/q/health/live").then().statusCode(200);
        given().when().get("/open/probe").then().statusCode(200).body("open", equalTo(true));
    }

    @Test
    void callerIsAnonymousNowhereBehindTheFilter() {
        as(AuthTestProfile.ADMIN).when().get("/local/v1/probe").then().body("caller", not(nullValue()));
    }
}
