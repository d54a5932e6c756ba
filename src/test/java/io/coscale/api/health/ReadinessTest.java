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
import io.coscale.pooldata.PoolStore;
import io.coscale.pooldata.StoredPool;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.Map;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterEach;
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
 *
 * <p>The two broken pools are written to the pool store for each test and deleted after it, as pools defined as data
 * are: the API would refuse them (it checks queue and service first), and the application is the default test
 * profile's, shared with other test classes, which never see them.
 */
@QuarkusTest
@QuarkusTestResource(LocalCloudTestResource.class)
class ReadinessTest {

    private static final String CHECK = "checks.find { it.name == 'coscale-control-plane' }";
    /** The broken pools, each with its cluster. */
    private static final Map<String, String> BROKEN = Map.of("deleted", "local", "clusterless", "missing");

    @Inject
    PoolStore poolStore;

    @ConfigProperty(name = "coscale.local.sqs-port")
    int sqsPort;

    @Inject
    EcsClient ecs;

    @Inject
    SqsClient sqs;

    @Inject
    Reconciler reconciler;

    /**
     * The two broken pools are managed; the {@code deleted} pool's service exists (so its queue is read), and its
     * queue is gone.
     */
    @BeforeEach
    void brokenPoolsAreManaged() {
        brokenPools(false, 200);
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

    /** The broken pools are no longer managed, as after {@code DELETE /v1/pools/{pool}}. */
    @AfterEach
    void brokenPoolsAreDeleted() {
        brokenPools(true, 404);
    }

    /** Writes the broken pools to the store, deleted or not; waits until {@code GET} answers {@code status} for each. */
    private void brokenPools(boolean deleted, int status) {
        BROKEN.forEach((name, cluster) -> write(name, cluster, deleted));
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> BROKEN.keySet().forEach(pool ->
                given().get("/v1/pools/" + pool).then().statusCode(status)));
    }

    /** Writes the pool {@code name} (its service and queue of that name, in {@code cluster}) to the pool store. */
    private void write(String name, String cluster, boolean deleted) {
        long version = poolStore.find(name).map(StoredPool::version).orElse(PoolStore.ABSENT);
        String definition = "{\"cluster\": \"" + cluster + "\", \"service\": \"" + name + "\", \"queue-url\": "
                + "\"http://127.0.0.1:" + sqsPort + "/000000000000/" + name + "\", \"max-tasks\": 1}";
        assertThat(poolStore.write(name, definition, StoredPool.Origin.API, deleted, version))
                .as("pool " + name + " written")
                .isPresent();
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
