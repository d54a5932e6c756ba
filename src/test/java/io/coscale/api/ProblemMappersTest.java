package io.coscale.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.startsWith;

import io.coscale.api.problem.Problem;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.response.ValidatableResponse;
import io.restassured.specification.RequestSpecification;
import org.junit.jupiter.api.Test;

/** Every kind of error leaves as {@code application/problem+json} with the right status and no internals. */
@QuarkusTest
@TestProfile(AuthTestProfile.class)
class ProblemMappersTest {

    private static final String JOBS = "/v1/pools/probe-pool/jobs";

    private static RequestSpecification admin() {
        return given().header("Authorization", "Bearer " + AuthTestProfile.ADMIN);
    }

    private static ValidatableResponse problem(ValidatableResponse response, int status, String slug) {
        return response.statusCode(status)
                .contentType(Problem.MEDIA_TYPE)
                .body("type", equalTo("https://coscale.io/problems/" + slug))
                .body("status", equalTo(status));
    }

    private static ValidatableResponse error(String kind) {
        return admin().when().get("/v1/probe/errors/" + kind).then();
    }

    @Test
    void apiExceptionsKeepStatusSlugAndDetail() {
        problem(error("bad-request"), 400, "bad-request").body("title", equalTo("Bad Request"))
                .body("detail", equalTo("field 'pool' is invalid"));
        problem(error("not-found"), 404, "not-found");
        problem(error("forbidden"), 403, "forbidden");
        problem(error("too-large"), 413, "payload-too-large").body("title", equalTo("Payload Too Large"));
        problem(error("unavailable"), 503, "service-unavailable").header("Retry-After", "3");
    }

    @Test
    void malformedJsonIs400() {
        problem(admin().contentType(ContentType.JSON).body("{\"payload\": ").when().post(JOBS).then(), 400,
                "bad-request")
                .body("detail", containsString("JSON"));
    }

    @Test
    void wrongTypeIs400NamingTheField() {
        problem(admin().contentType(ContentType.JSON).body("{\"payload\": 1, \"delaySeconds\": \"soon\"}")
                .when().post(JOBS).then(), 400, "bad-request")
                .body("detail", startsWith("field 'delaySeconds'"))
                .body("detail", not(containsString("java.")));
        problem(admin().contentType(ContentType.JSON).body("{\"payload\": 1, \"delaySeconds\": {}}")
                .when().post(JOBS).then(), 400, "bad-request")
                .body("detail", containsString("delaySeconds"));
        problem(admin().urlEncodingEnabled(false).contentType(ContentType.JSON)
                .body("{\"jobs\": [{}, {\"delaySeconds\": true}]}")
                .when().post(JOBS + ":batch").then(), 400, "bad-request")
                .body("detail", startsWith("field 'jobs[1].delaySeconds'"));
        problem(admin().contentType(ContentType.JSON).body("[1, 2]").when().post(JOBS).then(), 400, "bad-request");
    }

    @Test
    void unknownFieldsAreTolerated() {
        admin().contentType(ContentType.JSON).body("{\"payload\": 1, \"delaySeconds\": 5, \"colour\": \"blue\"}")
                .when().post(JOBS)
                .then().statusCode(200).body("delaySeconds", equalTo("5"));
    }

    @Test
    void wrongContentTypeIs415() {
        problem(admin().contentType(ContentType.TEXT).body("hello").when().post(JOBS).then(), 415,
                "unsupported-media-type");
    }

    @Test
    void unknownPathIs404() {
        problem(admin().when().get("/v1/nothing-here").then(), 404, "not-found");
        problem(given().when().get("/nothing-here").then(), 404, "not-found");
    }

    @Test
    void wrongMethodIs405WithAllow() {
        // DELETE and PUT are a pool's too (pools as data): PATCH is not.
        problem(admin().when().patch("/v1/pools/probe-pool").then(), 405, "method-not-allowed")
                .header("Allow", "GET, HEAD, PUT, DELETE");
        // quarkus-rest's own answer here is 404: JobsResource has no GET at all. OpenApiDriftTest covers every path.
        problem(admin().when().get("/v1/pools/demo/jobs").then(), 405, "method-not-allowed").header("Allow", "POST");
    }

    @Test
    void otherWebApplicationExceptionsKeepTheirStatus() {
        problem(error("conflict"), 409, "conflict").body("detail", equalTo("already released"));
        error("teapot").statusCode(418).contentType(Problem.MEDIA_TYPE)
                .body("type", equalTo("about:blank")).body("status", equalTo(418));
        error("web-500").statusCode(502).contentType(Problem.MEDIA_TYPE)
                .body("detail", not(containsString("secret internals")));
    }

    @Test
    void unexpectedFailureIs500WithoutInternals() {
        String body = problem(error("boom"), 500, "internal")
                .body("instance", startsWith("urn:uuid:"))
                .extract().asString();
        org.junit.jupiter.api.Assertions.assertFalse(body.contains("must not leak"), body);
        org.junit.jupiter.api.Assertions.assertFalse(body.contains("IllegalStateException"), body);
        org.junit.jupiter.api.Assertions.assertFalse(body.contains("at io.coscale"), body);
    }
}
