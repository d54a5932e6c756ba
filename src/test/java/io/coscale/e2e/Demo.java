package io.coscale.e2e;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/** The demo pool as a test drives it: submissions, status, events and the emulator's counters. */
final class Demo {

    private Demo() {
    }

    static JsonPath stats() {
        return given().get("/local/v1/stats").then().statusCode(200).extract().jsonPath();
    }

    static long stat(String path) {
        return stats().getLong(path);
    }

    static long updateServiceCalls() {
        Long n = stats().getObject("apiCalls.UpdateService", Long.class);
        return n == null ? 0 : n;
    }

    static JsonPath status() {
        return given().get("/v1/pools/demo").then().statusCode(200).extract().jsonPath();
    }

    /** The demo pool's definition as {@code GET /v1/pools/demo/definition} answers it: the pools document's spelling. */
    static Map<String, Object> definition() {
        return given().get("/v1/pools/demo/definition").then().statusCode(200).extract().jsonPath().getMap("definition");
    }

    /**
     * Changes the demo pool's {@code settings} through the API (pools as data), managed from the answer on; returns the
     * definition it replaced, which the test puts back with {@link #define} when it is done.
     */
    static Map<String, Object> redefine(Map<String, Object> settings) {
        Map<String, Object> before = definition();
        Map<String, Object> after = new LinkedHashMap<>(before);
        after.putAll(settings);
        define(after);
        return before;
    }

    /** Replaces the demo pool's definition through the API. */
    static void define(Map<String, Object> definition) {
        given().contentType(ContentType.JSON).body(definition).put("/v1/pools/demo").then().statusCode(200);
    }

    static List<Integer> eventCounts() {
        List<Integer> counts = new ArrayList<>();
        JsonPath events = given().get("/v1/pools/demo/events?limit=1000").then().statusCode(200).extract().jsonPath();
        counts.addAll(events.getList("findAll { it.from != null }.from", Integer.class));
        counts.addAll(events.getList("findAll { it.to != null }.to", Integer.class));
        return counts;
    }

    static void submit(String payload) {
        given().contentType(ContentType.JSON).body("{\"payload\": " + payload + "}")
                .post("/v1/pools/demo/jobs").then().statusCode(202);
    }

    /** Submits {@code count} jobs from {@code threads} concurrent clients, as upstream applications would. */
    static void submitConcurrently(int count, int threads, String payload) throws Exception {
        submitConcurrently(count, threads, i -> payload);
    }

    /**
     * Job lengths from 0 to 1.2 s with every seventh job 3 s long, so that workers finish at different times
     * and some are still busy when others find the queue empty, as real ones are.
     */
    static String mixedLength(int i) {
        return "{\"seconds\": " + (i % 7 == 6 ? 3.0 : (i % 5) * 0.3) + "}";
    }

    static void submitConcurrently(int count, int threads, java.util.function.IntFunction<String> payload) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        URI uri = URI.create(io.restassured.RestAssured.baseURI + ":" + io.restassured.RestAssured.port + "/v1/pools/demo/jobs");
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<Integer>> answers = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                String body = "{\"payload\": " + payload.apply(i) + "}";
                answers.add(pool.submit(() -> http.send(HttpRequest.newBuilder(uri)
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode()));
            }
            for (Future<Integer> answer : answers) {
                assertThat(answer.get()).isEqualTo(202);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /** Waits until the pool is idle at minTasks 0 with no task left running. */
    /**
     * Waits for the demo pool's next reconcile pass to end. Submit right after it: a queue read that crosses a
     * submission counts that job twice until the next read (the README says so), and an exact count of task starts is
     * the other case.
     */
    static void awaitReconcilePass() {
        String reconciled = status().getString("lastReconcileAt");
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20))
                .until(() -> !java.util.Objects.equals(status().getString("lastReconcileAt"), reconciled));
    }

    static void awaitSettled() {
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
            JsonPath status = status();
            assertThat(status.getInt("desiredCount")).isZero();
            assertThat(status.getInt("runningCount") + status.getInt("pendingCount")).isZero();
            assertThat(status.getLong("queue.visible") + status.getLong("queue.inFlight")).isZero();
        });
    }
}
