package io.coscale.e2e;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.coscale.deploy.RecordedAwsCalls;
import io.coscale.local.LocalCloudTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * A job that fails until SQS moves it to the demo queue's dead-letter queue ({@code demo-dlq}, after 3 receives with
 * the test profile's 5 s visibility timeout) shows in the pool's status, in the metrics and as an event.
 */
@QuarkusTest
@QuarkusTestResource(LocalCloudTestResource.class)
@QuarkusTestResource(value = RecordedAwsCalls.class, restrictToAnnotatedClass = true)
@ExtendWith(RecordedAwsCalls.class)
class DeadLetterEndToEndTest {

    final SqsClient sqs = HarnessClients.sqs();

    @Test
    void aJobThatReachesTheDeadLetterQueueShowsInStatusMetricsAndEvents() {
        Demo.awaitSettled();
        JsonPath before = Demo.status();
        assertThat(before.getString("deadLetter.queueUrl")).endsWith("/000000000000/demo-dlq");
        long visibleBefore = before.getLong("deadLetter.visible");
        String dlq = sqs.getQueueUrl(b -> b.queueName("demo-dlq")).queueUrl();
        try {
            Demo.submit("{\"fail\": true}");

            await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(250)).untilAsserted(() ->
                    assertThat(Demo.status().getLong("deadLetter.visible")).isEqualTo(visibleBefore + 1));
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                List<String> reasons = given().get("/v1/pools/demo/events?limit=1000").then().statusCode(200)
                        .extract().jsonPath().getList("findAll { it.kind == 'dead-letter' }.reason", String.class);
                assertThat(reasons).contains("1 more failed job in dead-letter queue demo-dlq ("
                        + (visibleBefore + 1) + " now)");
            });
            String metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();
            assertThat(metrics).contains("# HELP coscale_dead_letter_messages Jobs waiting in the pool's dead-letter queue")
                    .contains("coscale_dead_letter_messages{pool=\"demo\"} " + (visibleBefore + 1) + ".0");
        } finally {
            // DemoPoolEndToEndTest counts this queue's messages from nought.
            sqs.purgeQueue(b -> b.queueUrl(dlq));
        }
    }
}
