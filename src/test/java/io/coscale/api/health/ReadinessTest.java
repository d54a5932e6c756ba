package io.coscale.api.health;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;

import io.coscale.control.Reconciler;
import io.coscale.local.LocalCloudTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.QueueDoesNotExistException;

/**
 * One broken pool must not take coscale out of the load balancer: beside the healthy demo pool, {@code deleted}
 * (its service exists, its queue was deleted) and {@code clusterless} (its cluster does not exist) fail every
 * reconcile. Readiness stays UP and names them; each shows its lastError, an error event and
 * {@code coscale_pool_healthy 0}; the demo pool keeps scaling.
 */
@QuarkusTest
@QuarkusTestResource(LocalCloudTestResource.class)
@TestProfile(ReadinessTest.BrokenPools.class)
class ReadinessTest {

    private static final String CHECK = "checks.find { it.name == 'coscale-control-plane' }";

    public static class BrokenPools implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of(
                    "coscale.pools.deleted.cluster", "local",
                    "coscale.pools.deleted.service", "deleted",
                    "coscale.pools.deleted.queue-url", "http://127.0.0.1:${coscale.local.sqs-port}/000000000000/deleted",
                    "coscale.pools.deleted.max-tasks", "1",
                    "coscale.pools.clusterless.cluster", "missing",
                    "coscale.pools.clusterless.service", "clusterless",
                    "coscale.pools.clusterless.queue-url", "http://127.0.0.1:${coscale.local.sqs-port}/000000000000/clusterless",
                    "coscale.pools.clusterless.max-tasks", "1");
        }
    }

    @Inject
    EcsClient ecs;

    @Inject
    SqsClient sqs;

    @Inject
    Reconciler reconciler;

    /** The {@code deleted} pool's service exists (so its queue is read), and its queue is gone. */
    @BeforeEach
    void deletedPoolHasAServiceButNoQueue() {
        if (ecs.describeServices(b -> b.cluster("local").services("deleted")).services().isEmpty()) {
            ecs.registerTaskDefinition(b -> b.family("deleted-worker").containerDefinitions(c -> c.name("worker").image("deleted")));
            ecs.createService(b -> b.cluster("local").serviceName("deleted").taskDefinition("deleted-worker").desiredCount(0));
        }
        deleteQueue();
        reconciler.reconcileAll();
    }

    @Test
    void onePoolsMissingQueueOrClusterLeavesCoscaleReadyAndShowsOnThatPool() {
        given().get("/q/health/ready").then().statusCode(200)
                .body("status", equalTo("UP"))
                .body(CHECK + ".data.failingPools", containsString("clusterless"))
                .body(CHECK + ".data.failingPools", containsString("deleted"))
                .body(CHECK + ".data.failingPools", not(containsString("demo")))
                .body(CHECK + ".data.ecsReachable", equalTo(true))
                .body(CHECK + ".data.sqsReachable", equalTo(true));

        given().get("/v1/pools/deleted").then().statusCode(200)
                .body("lastError", containsString("GetQueueAttributes"));
        given().get("/v1/pools/clusterless").then().statusCode(200)
                .body("lastError", containsString("ClusterNotFoundException"));
        given().get("/v1/pools/demo").then().statusCode(200).body("lastError", nullValue());
        for (String pool : new String[] {"deleted", "clusterless"}) {
            given().get("/v1/pools/" + pool + "/events?limit=20").then().statusCode(200).body("kind", hasItem("error"));
        }

        given().get("/q/metrics").then().statusCode(200)
                .body(containsString("# HELP coscale_pool_healthy"))
                .body(containsString("coscale_pool_healthy{pool=\"deleted\"} 0.0"))
                .body(containsString("coscale_pool_healthy{pool=\"clusterless\"} 0.0"))
                .body(containsString("coscale_pool_healthy{pool=\"demo\"} 1.0"));
        // Every pass so far failed for both: each failure is a reconcile error of that pool.
        assertThat(given().get("/q/metrics").asString())
                .containsPattern("coscale_reconcile_errors_total\\{pool=\"deleted\"} [1-9]")
                .containsPattern("coscale_reconcile_errors_total\\{pool=\"clusterless\"} [1-9]");

        long completedBefore = jobsCompleted();
        given().contentType(ContentType.JSON).body("{\"payload\": {\"seconds\": 0.1}}").post("/v1/pools/demo/jobs")
                .then().statusCode(202);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(jobsCompleted() - completedBefore).isEqualTo(1));
        given().get("/q/health/ready").then().statusCode(200);
    }

    @Test
    void aPoolWhoseQueueComesBackIsHealthyAgain() {
        given().get("/v1/pools/deleted").then().body("lastError", containsString("GetQueueAttributes"));
        sqs.createQueue(b -> b.queueName("deleted"));
        try {
            reconciler.reconcileAll();
            given().get("/v1/pools/deleted").then().statusCode(200).body("lastError", nullValue());
            given().get("/q/metrics").then().statusCode(200)
                    .body(containsString("coscale_pool_healthy{pool=\"deleted\"} 1.0"));
            given().get("/q/health/ready").then().statusCode(200)
                    .body(CHECK + ".data.failingPools", not(containsString("deleted")));
        } finally {
            deleteQueue();
        }
    }

    private void deleteQueue() {
        try {
            String url = sqs.getQueueUrl(b -> b.queueName("deleted")).queueUrl();
            sqs.deleteQueue(b -> b.queueUrl(url));
        } catch (QueueDoesNotExistException e) {
            // already gone
        }
    }

    private static long jobsCompleted() {
        return given().get("/local/v1/stats").then().statusCode(200).extract().jsonPath().getLong("jobsCompleted");
    }
}
