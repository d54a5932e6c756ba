package io.coscale.api;

import static io.coscale.api.Api.problem;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.hasKey;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.notNullValue;

import io.coscale.local.LocalCloudTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;
import io.restassured.response.ValidatableResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code GET /v1/pools}, {@code /v1/pools/{pool}} and {@code /v1/pools/{pool}/events}: every field docs/API.md lists, and the 4xx. */
@QuarkusTest
@QuarkusTestResource(LocalCloudTestResource.class)
@TestProfile(ApiTestProfile.class)
class PoolsResourceTest {

    static final List<String> STATUS_FIELDS = List.of("name", "cluster", "service", "queueUrl", "mode", "minTasks",
            "maxTasks", "desiredCount", "runningCount", "pendingCount", "queue", "busyTasks", "protectedTasks",
            "lastReconcileAt", "lastError");

    static void hasEveryStatusField(ValidatableResponse response, String root) {
        String prefix = root.isEmpty() ? "" : root + ".";
        STATUS_FIELDS.forEach(field -> response.body(root.isEmpty() ? "$" : root, hasKey(field)));
        List.of("visible", "inFlight", "delayed").forEach(field -> response.body(prefix + "queue", hasKey(field)));
    }

    @Test
    void theListHoldsEveryPoolWithEveryStatusField() {
        ValidatableResponse response = given().get("/v1/pools").then().statusCode(200).contentType("application/json")
                .body("name", hasItems("demo", "idle", "gone"));
        hasEveryStatusField(response, "find { it.name == 'demo' }");
        hasEveryStatusField(response, "find { it.name == 'gone' }");
    }

    @Test
    void onePoolShowsItsSettingsAndWhatEcsAndSqsLastSaid() {
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                given().get("/v1/pools/demo").then().statusCode(200).body("lastReconcileAt", notNullValue()));
        ValidatableResponse response = given().get("/v1/pools/demo").then().statusCode(200)
                .contentType("application/json")
                .body("name", equalTo("demo")).body("cluster", equalTo("local")).body("service", equalTo("demo"))
                .body("queueUrl", containsString("/000000000000/demo")).body("mode", equalTo("protect"))
                .body("minTasks", equalTo(0)).body("maxTasks", equalTo(8))
                .body("desiredCount", notNullValue()).body("runningCount", notNullValue())
                .body("pendingCount", notNullValue());
        hasEveryStatusField(response, "");
        JsonPath status = response.extract().jsonPath();
        assertThat(Instant.parse(status.getString("lastReconcileAt"))).isBefore(Instant.now().plusSeconds(1));
        assertThat(status.getInt("desiredCount")).isBetween(0, 8);
    }

    @Test
    void aFailingPoolReportsItsLastError() {
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> given().get("/v1/pools/gone").then().statusCode(200)
                .body("lastError", containsString("service gone not found")));
        given().get("/v1/pools/gone/events?limit=10").then().statusCode(200)
                .body("kind", hasItems("error")).body("find { it.kind == 'error' }.reason", containsString("gone"));
    }

    @Test
    void anUnknownPoolIs404() {
        problem(given().get("/v1/pools/nope").then(), 404).body("detail", equalTo("no pool named 'nope'"));
        problem(given().get("/v1/pools/nope/events").then(), 404).body("detail", equalTo("no pool named 'nope'"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "1001", "abc", "-1", "1.5", "99999999999"})
    void aLimitOutside1To1000Is400(String limit) {
        problem(given().get("/v1/pools/demo/events?limit=" + limit).then(), 400)
                .body("detail", equalTo("limit must be a whole number from 1 to 1000"));
    }

    @Test
    void eventsComeNewestFirstWithEveryDocumentedField() {
        Api.json("{\"payload\": {\"seconds\": 0.1}}").post("/v1/pools/demo/jobs").then().statusCode(202);
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                given().get("/v1/pools/demo/events?limit=1000").then().statusCode(200)
                        .body("kind", hasItems("scale-up", "protection")));

        ValidatableResponse response = given().get("/v1/pools/demo/events?limit=1000").then().statusCode(200)
                .contentType("application/json");
        List<Map<String, Object>> events = response.extract().jsonPath().getList("$");
        assertThat(events).allSatisfy(e -> {
            assertThat(e).containsKeys("at", "kind", "from", "to", "reason");
            assertThat((String) e.get("reason")).isNotBlank();
        });
        List<Instant> at = events.stream().map(e -> Instant.parse((String) e.get("at"))).toList();
        assertThat(at).isSortedAccordingTo(java.util.Comparator.reverseOrder());
        Map<String, Object> scaleUp = events.stream().filter(e -> "scale-up".equals(e.get("kind"))).findFirst().orElseThrow();
        assertThat((Integer) scaleUp.get("to")).isGreaterThan((Integer) scaleUp.get("from"));

        given().get("/v1/pools/demo/events?limit=1").then().statusCode(200).body("$", hasSize(1))
                .body("[0].at", equalTo(events.get(0).get("at")));
    }
}
