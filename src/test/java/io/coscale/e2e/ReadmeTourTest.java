package io.coscale.e2e;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.coscale.deploy.RecordedAwsCalls;
import io.coscale.local.LocalCloud;
import io.coscale.local.LocalCloudTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.RestAssured;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * README.md's quick tour, run as written: each {@code sh} block of the tour is run by bash against this test's app
 * (the same local cloud as {@code ./mvnw quarkus:dev}, on another port), its output must show its {@code # →} lines
 * (in order; {@code …} stands for anything), and the claims the tour's text makes about what follows are checked
 * with the tolerance it states. The timings the tour states for dev mode are a formula of settings (10 s of hidden
 * message, one reconcile interval, one task start): the test profile's shorter settings are read from the app. The
 * failing job's dead letter is also checked where an operator sees it: status, events and metrics.
 */
@QuarkusTest
@QuarkusTestResource(LocalCloudTestResource.class)
@WithTestResource(RecordedAwsCalls.class)
@ExtendWith(RecordedAwsCalls.class)
@TestProfile(FreshCounters.class)
class ReadmeTourTest {

    /** How long the reference worker hides a failed job's message, as the tour says. */
    static final Duration HIDDEN = Duration.ofSeconds(10);
    /** "give or take 2 s on a busy machine" */
    static final Duration GIVE_OR_TAKE = Duration.ofSeconds(2);

    @Inject
    LocalCloud cloud;

    final Tour tour = Tour.fromReadme();
    final SqsClient sqs = HarnessClients.sqs();

    @Test
    void theTourShowsWhatItSays() throws Exception {
        tour.requireClaims("**6 or 7**", "**4 tasks are running and 2 or more pending**", "**within 30 s** of\nthe last submission",
                "keeps its message hidden for **10 s**", "every 10 s, `coscale.reconcile.interval`",
                "runs 1 s later (`coscale.local.task-start-delay`)", "**3 receives come 11 to 21 s apart** (give or\ntake 2 s on a busy machine",
                "**within 60 s** `deadLetter.visible` is 1 and a `dead-letter` event says so", "**0 in protect mode**");
        Demo.awaitSettled();
        String dlq = sqs.getQueueUrl(b -> b.queueName("demo-dlq")).queueUrl();
        sqs.purgeQueue(b -> b.queueUrl(dlq)); // "deadLetter.visible is 1": counted from an empty dead-letter queue
        await().atMost(Duration.ofSeconds(10)).until(() -> Demo.status().getLong("deadLetter.visible") == 0);

        // Right after a reconcile pass, as a reader of the tour starts it (see Demo.awaitReconcilePass).
        Demo.awaitReconcilePass();
        tour.run("for i in 1 2 3 4 5");
        String batch = tour.run("jobs:batch");
        assertThat(new JsonPath(batch).getInt("desiredCount")).as("the batch's answer").isBetween(6, 7);
        long lastSubmission = System.nanoTime();
        tour.run("curl -s localhost:8080/v1/pools/demo;");
        // "within a few seconds 4 tasks are running and 2 or more pending"
        await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(100)).untilAsserted(() -> {
            JsonPath status = Demo.status();
            assertThat(status.getInt("runningCount")).isEqualTo(4);
            assertThat(status.getInt("pendingCount")).isGreaterThanOrEqualTo(2);
        });
        // "within 30 s of the last submission it is back to desiredCount 0 with no task and an empty queue"
        await().atMost(Duration.ofSeconds(30).minusNanos(System.nanoTime() - lastSubmission))
                .pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
                    JsonPath status = Demo.status();
                    assertThat(status.getInt("desiredCount")).isZero();
                    assertThat(status.getInt("runningCount") + status.getInt("pendingCount")).isZero();
                    assertThat(status.getLong("queue.visible") + status.getLong("queue.inFlight")
                            + status.getLong("queue.delayed")).isZero();
                });

        long failedBefore = Demo.stat("jobsFailed");
        long submitted = System.nanoTime();
        Instant submittedAt = Instant.now();
        tour.run("\"fail\": true");
        // "within 60 s deadLetter.visible is 1"
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                .until(() -> Demo.status().getLong("deadLetter.visible") == 1);
        assertThat(Demo.stat("jobsFailed") - failedBefore).as("receives, each failed").isEqualTo(3);
        // The pool was idle before: every receive since the submission is the failing job's, timed by its task.
        List<Instant> receives = cloud.emulator().orElseThrow().stats().recentReceives().stream()
                .filter(at -> at.isAfter(submittedAt)).toList();
        assertThat(receives).as("the failing job's receives").hasSize(3);
        Duration interval = setting("coscale.reconcile.interval");
        Duration start = setting("coscale.local.task-start-delay");
        // "3 receives come 11 to 21 s apart": 10 s hidden, then the next reconcile pass (up to one interval), then
        // the task's start; give or take 2 s. Dev mode: 10 s + 1 s to 10 s + 10 s + 1 s.
        Duration earliest = HIDDEN.plus(start).minus(GIVE_OR_TAKE);
        Duration latest = HIDDEN.plus(interval).plus(start).plus(GIVE_OR_TAKE);
        for (int i = 1; i < receives.size(); i++) {
            Duration gap = Duration.between(receives.get(i - 1), receives.get(i));
            assertThat(gap).as("receive %d after receive %d", i + 1, i).isBetween(earliest, latest);
        }
        System.out.printf("tour: failing job's receives %s apart, dead-lettered %.1f s after its submission%n",
                gaps(receives), (System.nanoTime() - submitted) / 1e9);
        await().atMost(Duration.ofSeconds(60).minusNanos(System.nanoTime() - submitted)).untilAsserted(() ->
                assertThat(tour.run("events?limit=20")).contains("\"kind\":\"dead-letter\"")
                        .contains("1 more failed job in dead-letter queue demo-dlq (1 now)"));
        // The dead letter also shows in the status's queue URL and in the metrics (docs/API.md, "Metrics").
        assertThat(Demo.status().getString("deadLetter.queueUrl")).endsWith("/000000000000/demo-dlq");
        String metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();
        assertThat(metrics).contains("# HELP coscale_dead_letter_messages Jobs waiting in the pool's dead-letter queue")
                .contains("coscale_dead_letter_messages{pool=\"demo\"} 1.0");

        tour.run("v1/leader");
        tour.run("local/v1/stats");
        assertThat(tour.notRun()).as("every block of the tour was run").isEmpty();
    }

    @AfterEach
    void emptyTheDeadLetterQueue() {
        // Other tests of this app count the dead-letter queue's messages from nought.
        sqs.purgeQueue(b -> b.queueUrl(sqs.getQueueUrl(q -> q.queueName("demo-dlq")).queueUrl()));
    }

    private static Duration setting(String key) {
        return ConfigProvider.getConfig().getValue(key, Duration.class);
    }

    private static String gaps(List<Instant> times) {
        List<String> gaps = new ArrayList<>();
        for (int i = 1; i < times.size(); i++) {
            gaps.add(String.format("%.1f s", Duration.between(times.get(i - 1), times.get(i)).toMillis() / 1e3));
        }
        return String.join(", ", gaps);
    }

    /** The port the tour's {@code localhost:8080} stands for here. */
    static int port() {
        return RestAssured.port;
    }
}
