package io.coscale.api;

import static io.coscale.api.Api.problem;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.hasKey;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;

import io.coscale.local.LocalCloudTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;
import io.restassured.response.ValidatableResponse;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * {@code GET /v1/pools}, {@code /v1/pools/{pool}}, {@code /v1/pools/{pool}/events} and {@code /v1/pools/{pool}/samples}:
 * every status field docs/API.md lists, figures fresh when read, and the 4xx.
 */
@QuarkusTest
@QuarkusTestResource(LocalCloudTestResource.class)
@TestProfile(ApiTestProfile.class)
class PoolsResourceTest {

    @Inject
    SqsClient sqs;

    static final List<String> STATUS_FIELDS = List.of("name", "cluster", "service", "queueUrl", "mode", "minTasks",
            "maxTasks", "desiredCount", "runningCount", "pendingCount", "ecsObservedAt", "queue", "deadLetter",
            "busyTasks", "protectedTasks", "lastReconcileAt", "lastError");

    static void hasEveryStatusField(ValidatableResponse response, String root) {
        String prefix = root.isEmpty() ? "" : root + ".";
        STATUS_FIELDS.forEach(field -> response.body(root.isEmpty() ? "$" : root, hasKey(field)));
        List.of("visible", "inFlight", "delayed", "observedAt").forEach(field -> response.body(prefix + "queue", hasKey(field)));
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
    void ecsAndSqsFiguresAreNeverOlderThanTwoSecondsWhenRead() {
        for (int i = 0; i < 3; i++) {
            Instant asked = Instant.now();
            JsonPath status = given().get("/v1/pools/demo").then().statusCode(200).extract().jsonPath();
            assertThat(Instant.parse(status.getString("ecsObservedAt"))).isAfterOrEqualTo(asked.minusSeconds(2));
            assertThat(Instant.parse(status.getString("queue.observedAt"))).isAfterOrEqualTo(asked.minusSeconds(2));
            assertThat(Instant.parse(status.getString("deadLetter.observedAt"))).isAfterOrEqualTo(asked.minusSeconds(2));
        }
    }

    @Test
    void theDeadLetterQueueComesFromTheRedrivePolicyAndIsNullWithoutOne() {
        given().get("/v1/pools/demo").then().statusCode(200)
                .body("deadLetter.queueUrl", containsString("/000000000000/demo-dlq"))
                .body("deadLetter.visible", notNullValue());
        Api.queue(sqs, ApiTestProfile.IDLE);
        // Read more than 2 s after the queue exists: the idle pool's queue figures are then a reading, not a gap.
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> given().get("/v1/pools").then().statusCode(200)
                .body("find { it.name == 'idle' }.queue.observedAt", notNullValue())
                .body("find { it.name == 'idle' }", hasKey("deadLetter"))
                .body("find { it.name == 'idle' }.deadLetter", nullValue()));
    }

    @Test
    void concurrentReadsShareTheirDescribeServicesCalls() throws Exception {
        long before = describeServicesCalls();
        long start = System.nanoTime();
        ExecutorService readers = Executors.newFixedThreadPool(10);
        try {
            List<Future<Integer>> answers = new ArrayList<>();
            for (int i = 0; i < 30; i++) {
                answers.add(readers.submit(() -> given().get("/v1/pools").then().extract().statusCode()));
            }
            for (Future<Integer> answer : answers) {
                assertThat(answer.get()).isEqualTo(200);
            }
        } finally {
            readers.shutdownNow();
        }
        // 30 reads of the pools in one cluster: at most one shared read per 2 s, as many by the reconciler (every 2 s),
        // and one for each retried scale-up meanwhile, of the five pools whose services ECS does not have (idle, gone,
        // other, ordered, late). Uncoalesced, it would be 30 or more.
        long windows = (System.nanoTime() - start) / 2_000_000_000L + 1;
        assertThat(describeServicesCalls() - before).isLessThanOrEqualTo(2 * windows + 5).isLessThan(30);
    }

    private static long describeServicesCalls() {
        Long n = given().get("/local/v1/stats").then().statusCode(200).extract().jsonPath()
                .getObject("apiCalls.DescribeServices", Long.class);
        return n == null ? 0 : n;
    }

    @Test
    void samplesOfAPoolComeOldestFirstAnd404ForAnUnknownPool() {
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                given().get("/v1/pools/demo/samples").then().statusCode(200).body("size()", greaterThan(1)));
        List<Map<String, Object>> samples = given().get("/v1/pools/demo/samples").then().statusCode(200)
                .extract().jsonPath().getList("$");
        assertThat(samples).allSatisfy(s -> assertThat(s).containsKeys("at", "desired", "running", "pending", "busy",
                "protectedTasks", "visible", "inFlight", "delayed", "deadLetter"));
        List<Instant> at = samples.stream().map(s -> Instant.parse((String) s.get("at"))).toList();
        assertThat(at).isSorted();
        problem(given().get("/v1/pools/nope/samples").then(), 404).body("detail", equalTo("no pool named 'nope'"));
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

        // limit=1 is the newest: no older than the newest read before it, no newer than the newest read after it
        // (the demo pool's events go on arriving between the reads).
        String newest = given().get("/v1/pools/demo/events?limit=1").then().statusCode(200).body("$", hasSize(1))
                .extract().jsonPath().getString("[0].at");
        String newestAfter = given().get("/v1/pools/demo/events?limit=1000").then().statusCode(200)
                .extract().jsonPath().getString("[0].at");
        assertThat(Instant.parse(newest)).isAfterOrEqualTo(at.get(0)).isBeforeOrEqualTo(Instant.parse(newestAfter));
    }
}
