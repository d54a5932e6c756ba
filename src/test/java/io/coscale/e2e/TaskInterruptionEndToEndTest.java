package io.coscale.e2e;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.coscale.deploy.RecordedAwsCalls;
import io.coscale.local.LocalCloudTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.ecs.EcsClient;

/**
 * A busy task of the demo pool (the reference worker mid-job) gets a Spot interruption: the worker gives its message
 * back on the stop signal, so the job is on the queue again within seconds, not after the visibility the worker last
 * asked for (10 s) or the queue's timeout; the replacement task completes it; coscale's status, events and metrics
 * say SpotInterruption, and it changed no count for the stop.
 */
@QuarkusTest
@QuarkusTestResource(LocalCloudTestResource.class)
@WithTestResource(RecordedAwsCalls.class)
@ExtendWith(RecordedAwsCalls.class)
class TaskInterruptionEndToEndTest {

    private static final Duration RETURN_BOUND = Duration.ofSeconds(3);

    final EcsClient ecs = HarnessClients.ecs();

    @Test
    void aSpotInterruptedBusyTaskGivesItsJobBackAndAnotherTaskCompletesIt() {
        Demo.awaitSettled();
        long received = Demo.stat("jobsReceived");
        long returned = Demo.stat("jobsReturned");
        long completed = Demo.stat("jobsCompleted");
        double metricBefore = stoppedMetric();
        int spotBefore = spotStops();

        Demo.submit("{\"seconds\": 6}");
        await().atMost(Duration.ofSeconds(20)).until(() -> Demo.stat("jobsReceived") == received + 1
                && Demo.status().getInt("busyTasks") == 1);
        List<String> running = ecs.listTasks(b -> b.cluster("local").serviceName("demo")).taskArns();
        assertThat(running).as("one job, one task: the busy one").hasSize(1);
        String busy = running.get(0);

        long interruptedAt = System.nanoTime();
        given().contentType(ContentType.JSON).body("{\"taskArn\": \"" + busy + "\", \"kind\": \"SpotInterruption\"}")
                .post("/local/v1/faults/task-stops").then().statusCode(200);

        await().atMost(RETURN_BOUND).pollInterval(Duration.ofMillis(20))
                .until(() -> Demo.stat("jobsReturned") == returned + 1);
        Duration back = Duration.ofNanos(System.nanoTime() - interruptedAt);
        System.out.printf("job back on the queue %d ms after the Spot interruption%n", back.toMillis());
        assertThat(back).isLessThan(RETURN_BOUND);

        await().atMost(Duration.ofSeconds(40)).until(() -> Demo.stat("jobsCompleted") == completed + 1);
        assertThat(Demo.stat("jobsReceived")).as("received again, by the replacement").isGreaterThanOrEqualTo(received + 2);
        assertThat(ecs.describeTasks(b -> b.cluster("local").tasks(busy)).tasks().get(0).stopCodeAsString())
                .isEqualTo("SpotInterruption");

        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
            assertThat(spotStops()).isEqualTo(spotBefore + 1);
            assertThat(stoppedMetric()).isEqualTo(metricBefore + 1);
        });
        assertThat(Demo.status().getList("recentStops.taskArn", String.class)).contains(busy);
        List<String> reasons = given().get("/v1/pools/demo/events?limit=1000").then().statusCode(200).extract()
                .jsonPath().getList("findAll { it.kind == 'task-stopped' }.reason", String.class);
        assertThat(reasons).anyMatch(r -> r.contains(busy.substring(busy.lastIndexOf('/') + 1))
                && r.contains("SpotInterruption"));
        Demo.awaitSettled();
    }

    private static int spotStops() {
        Integer n = Demo.status().getObject("stoppedTasks.SpotInterruption", Integer.class);
        return n == null ? 0 : n;
    }

    private static double stoppedMetric() {
        String metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();
        assertThat(metrics).contains("# HELP coscale_tasks_stopped");
        Matcher m = Pattern.compile("coscale_tasks_stopped_total\\{pool=\"demo\",stop_code=\"SpotInterruption\"} (\\S+)")
                .matcher(metrics);
        return m.find() ? Double.parseDouble(m.group(1)) : 0;
    }
}
