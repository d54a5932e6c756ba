package io.coscale.api;

import static io.coscale.api.Api.json;
import static io.coscale.api.Api.problem;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.endsWith;
import static org.hamcrest.Matchers.equalTo;

import io.coscale.local.LocalCloudTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * Pools as data through the API: {@code PUT}, {@code GET …/definition} and {@code DELETE /v1/pools/{pool}} against the
 * local cloud's SQS and ECS, versions as ETags, every refusal a problem with nothing stored, and the pool list in pages.
 */
@QuarkusTest
@QuarkusTestResource(LocalCloudTestResource.class)
@TestProfile(ApiTestProfile.class)
class PoolDataResourceTest {

    @Inject
    SqsClient sqs;

    @Inject
    EcsClient ecs;

    /** A queue and an ECS service (desiredCount 0) of this name in the local cloud. */
    void queueAndService(String name) {
        Api.queue(sqs, name);
        ecs.createService(b -> b.cluster("local").serviceName(name).taskDefinition("demo-worker").desiredCount(0));
    }

    static String definition(String name, int maxTasks) {
        return "{\"cluster\": \"local\", \"service\": \"" + name + "\", \"queue-name\": \"" + name + "\", \"max-tasks\": "
                + maxTasks + "}";
    }

    @Test
    void aPoolIsCreatedChangedUnderItsVersionAndDeletedAndIsManagedMeanwhile() {
        queueAndService("pd-render");

        json(definition("pd-render", 2)).put("/v1/pools/pd-render").then().statusCode(201).header("ETag", "\"1\"")
                .body("name", equalTo("pd-render")).body("version", equalTo(1))
                .body("definition.queue-url", endsWith("/pd-render")).body("definition.min-tasks", equalTo(0));
        given().get("/v1/pools/pd-render").then().statusCode(200).body("maxTasks", equalTo(2));
        given().get("/v1/pools/pd-render/definition").then().statusCode(200).header("ETag", "\"1\"");

        json(definition("pd-render", 3)).header("If-Match", "\"1\"").put("/v1/pools/pd-render").then().statusCode(200)
                .header("ETag", "\"2\"");
        given().get("/v1/pools/pd-render").then().statusCode(200).body("maxTasks", equalTo(3));
        assertThat(given().get("/q/metrics").asString()).contains("coscale_pool_max_tasks{pool=\"pd-render\"} 3.0");
        problem(json(definition("pd-render", 4)).header("If-Match", "\"1\"").put("/v1/pools/pd-render").then(), 412)
                .body("type", endsWith("/precondition-failed")).body("detail", containsString("version 2"));
        problem(json(definition("pd-render", 4)).header("If-None-Match", "*").put("/v1/pools/pd-render").then(), 412);
        problem(given().header("If-Match", "\"1\"").delete("/v1/pools/pd-render").then(), 412);
        given().get("/v1/pools/pd-render").then().statusCode(200).body("maxTasks", equalTo(3));

        given().header("If-Match", "\"2\"").delete("/v1/pools/pd-render").then().statusCode(204);

        problem(given().get("/v1/pools/pd-render").then(), 404);
        problem(given().get("/v1/pools/pd-render/definition").then(), 404);
        problem(given().delete("/v1/pools/pd-render").then(), 404);
        assertThat(given().get("/q/metrics").asString()).doesNotContain("pool=\"pd-render\"");
        // Created again after a delete: a new pool to the API, the next version to the store.
        json(definition("pd-render", 1)).put("/v1/pools/pd-render").then().statusCode(201).header("ETag", "\"4\"");
        given().delete("/v1/pools/pd-render").then().statusCode(204);
    }

    @Test
    void aDefinitionThatCannotWorkIsRefusedWithItsReasonAndNothingIsStored() {
        queueAndService("pd-refused");
        Api.queue(sqs, "pd-queue-only");

        problem(json("{\"cluster\": ").put("/v1/pools/pd-refused").then(), 400).body("detail", containsString("malformed JSON"));
        problem(json("{\"cluster\": \"local\", \"service\": \"pd-refused\", \"queue-name\": \"pd-refused\", \"max-tasks\": 1, "
                + "\"maxTasks\": 2}").put("/v1/pools/pd-refused").then(), 400).body("detail", containsString("maxTasks"));
        problem(json(definition("pd-refused", 1)).put("/v1/pools/bad.name").then(), 400)
                .body("detail", containsString("pool names are"));
        problem(json("{\"cluster\": \"local\", \"service\": \"pd-refused\", \"queue-name\": \"pd-refused\", \"min-tasks\": 3, "
                + "\"max-tasks\": 2}").put("/v1/pools/pd-refused").then(), 422)
                .body("type", endsWith("/pool-refused")).body("detail", containsString("min-tasks"));
        problem(json("{\"cluster\": \"local\", \"service\": \"pd-refused\", \"queue-url\": \"" + Api.queue(sqs, "pd-refused")
                + "-missing\", \"max-tasks\": 1}").put("/v1/pools/pd-refused").then(), 422)
                .body("detail", containsString("GetQueueAttributes"));
        problem(json(definition("pd-queue-only", 1)).put("/v1/pools/pd-queue-only").then(), 422)
                .body("detail", containsString("not found (or not ACTIVE) in cluster local"));
        problem(json("{\"cluster\": \"local\", \"service\": \"demo\", \"queue-name\": \"pd-refused\", \"max-tasks\": 1}")
                .put("/v1/pools/pd-refused").then(), 422).body("detail", containsString("is pool demo's"));
        problem(json(definition("pd-refused", 1)).header("If-Match", "nope").put("/v1/pools/pd-refused").then(), 400);

        problem(given().get("/v1/pools/pd-refused/definition").then(), 404);
        problem(given().get("/v1/pools/pd-queue-only").then(), 404);
    }

    @Test
    void theListComesInPagesThatFollowTheLinkHeaderInNameOrder() {
        List<String> all = given().get("/v1/pools").then().statusCode(200).extract().jsonPath().getList("name");
        List<String> paged = new ArrayList<>();
        String next = "/v1/pools?limit=1";
        while (next != null) {
            Response page = given().urlEncodingEnabled(false).get(next);
            page.then().statusCode(200).header("X-Total-Count", Integer.toString(all.size()));
            List<String> names = page.jsonPath().getList("name");
            assertThat(names).hasSize(1);
            paged.addAll(names);
            String link = page.header("Link");
            next = link == null ? null : link.substring(link.indexOf('<') + 1, link.indexOf('>'));
        }

        assertThat(paged).isEqualTo(all).isSorted().hasSizeGreaterThanOrEqualTo(3);
        problem(given().get("/v1/pools?limit=0").then(), 400).body("detail", containsString("limit"));
    }
}
