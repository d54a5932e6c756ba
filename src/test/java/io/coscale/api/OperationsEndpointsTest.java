package io.coscale.api;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.hasKey;

import io.coscale.local.LocalCloudTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ecs.EcsClient;

/** What operators read besides the API: the OpenAPI document and the Prometheus metrics (docs/API.md, "Operations"). */
@QuarkusTest
@QuarkusTestResource(LocalCloudTestResource.class)
@TestProfile(ApiTestProfile.class)
class OperationsEndpointsTest {

    @Inject
    EcsClient ecs;

    @Test
    void theOpenApiDocumentListsEveryV1Path() {
        var response = given().accept("application/json").get("/q/openapi?format=json").then().statusCode(200);
        for (String path : List.of("/v1/pools/{pool}/jobs", "/v1/pools/{pool}/jobs:batch", "/v1/claim", "/v1/release",
                "/v1/pools", "/v1/pools/{pool}", "/v1/pools/{pool}/events", "/v1/leader")) {
            response.body("paths", hasKey(path));
        }
    }

    @Test
    void metricsShowThePoolAndWhatCoscaleDid() {
        String task = Api.liveDemoTask(ecs, 1);
        Api.json("{\"taskArn\": \"" + task + "\"}").post("/v1/release").then().statusCode(200);

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> given().get("/q/metrics").then().statusCode(200)
                .body(containsString("coscale_pool_desired_tasks{pool=\"demo\"}"))
                .body(containsString("coscale_update_service_calls_total{pool=\"demo\"}"))
                .body(containsString("coscale_submission_seconds_bucket{pool=\"demo\""))
                .body(containsString("coscale_release_decisions_total{decision="))
                .body(containsString("coscale_delayed_jobs{pool=\"demo\"}"))
                .body(containsString("coscale_reconcile_errors_total{pool=\"demo\"}"))
                .body(containsString("coscale_protection_renewals_total{pool=\"demo\"}"))
                .body(containsString("coscale_pool_max_tasks{pool=\"demo\"}")));
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(sample(given().get("/q/metrics").asString(),
                "coscale_protection_takeovers_pending")).as("every pool has taken over: the demo pool's first reconcile"
                        + " starts one sweep of cluster local, which idle, gone, other, ordered and late join although ECS"
                        + " does not have their services (they hold no tasks; fromjson, in cooperative mode, protects"
                        + " nothing)").isEqualTo(0));
    }

    @Test
    void everyReconcilePassIsCountedAndTimed() {
        // The first pass runs at start-up; the leader's next ones every coscale.reconcile.interval.
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            String scrape = given().get("/q/metrics").asString();
            assertThat(sample(scrape, "coscale_reconcile_passes_total")).isGreaterThanOrEqualTo(1);
            assertThat(sample(scrape, "coscale_reconcile_pass_seconds_count"))
                    .isEqualTo(sample(scrape, "coscale_reconcile_passes_total"));
        });
    }

    @Test
    void everySendMessageBatchCallIsCountedWithItsJobs() {
        String before = given().get("/q/metrics").asString();
        Api.json("{\"jobs\": [{\"payload\": 1}, {\"payload\": 2}, {\"payload\": 3}]}")
                .post("/v1/pools/demo/jobs:batch").then().statusCode(202);

        String after = given().get("/q/metrics").asString();
        // Other tests' jobs may share the calls of this one's, never exceed ten per call.
        assertThat(sample(after, "coscale_sqs_send_jobs_sum") - sample(before, "coscale_sqs_send_jobs_sum"))
                .isGreaterThanOrEqualTo(3);
        assertThat(sample(after, "coscale_sqs_send_jobs_count")).isGreaterThan(sample(before, "coscale_sqs_send_jobs_count"));
        assertThat(sample(after, "coscale_sqs_send_jobs_max")).isBetween(1.0, 10.0);
    }

    /** The value of an untagged sample in a scrape. */
    private static double sample(String scrape, String name) {
        return scrape.lines().filter(line -> line.startsWith(name + " ")).findFirst()
                .map(line -> Double.parseDouble(line.substring(name.length() + 1).trim()))
                .orElseThrow(() -> new AssertionError("no sample " + name));
    }

    @Test
    void everyCoscaleMetricHasHelpText() {
        String task = Api.liveDemoTask(ecs, 1);
        Api.json("{\"taskArn\": \"" + task + "\"}").post("/v1/release").then().statusCode(200);

        // Counters and timers appear with their first event: wait until every kind of meter coscale has is there.
        // (A counter's HELP line names it without its _total suffix.)
        String scrape = await().atMost(Duration.ofSeconds(10)).until(() -> given().get("/q/metrics").asString(),
                body -> body.contains("# HELP coscale_release_decisions ")
                        && body.contains("# HELP coscale_submission_seconds ")
                        && body.contains("# HELP coscale_update_service_calls ")
                        && body.contains("# HELP coscale_pool_desired_tasks "));

        List<String> help = scrape.lines().filter(line -> line.startsWith("# HELP coscale_")).toList();
        assertThat(help).hasSizeGreaterThanOrEqualTo(12);
        assertThat(help).allSatisfy(line -> assertThat(line.split(" ", 4))
                .as("help text of '%s'", line).hasSize(4)
                .satisfies(parts -> assertThat(parts[3]).as("help text of %s", parts[2]).isNotBlank()));
    }
}
