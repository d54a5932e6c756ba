package io.coscale.api;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import io.coscale.local.LocalCloud;
import io.coscale.local.LocalCloudTestResource;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * A replica with its warm-up on and auth on, as deployed, against the local cloud: it is not ready while the warm-up runs, its synthetic jobs
 * and requests run meanwhile, and when it ends no job is on the demo pool's queue (nor on any queue of its own), the
 * pool's count and its ECS service's desiredCount are unchanged and ECS got no UpdateService, and no call was refused
 * (its own requests present the submit token); then it becomes ready.
 */
@QuarkusTest
@TestProfile(WarmUpReadinessTest.On.class)
@QuarkusTestResource(LocalCloudTestResource.class)
class WarmUpReadinessTest {

    private static final String SECRET = "upstream-secret-0123456789";

    /** The test profile's application, with the warm-up on for long enough to watch it, and auth on. */
    public static class On implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("coscale.warm-up.duration", "12S", "coscale.auth.enabled", "true",
                    "coscale.auth.tokens.upstream.secret", SECRET, "coscale.auth.tokens.upstream.roles", "submit,read");
        }
    }

    @Inject
    WarmUp warmUp;

    @Inject
    SqsClient sqs;

    @Inject
    EcsClient ecs;

    @Inject
    LocalCloud localCloud;

    @Inject
    MeterRegistry registry;

    @Test
    void notReadyWhileItRunsAndNothingEnqueuedOrCountedByIt() {
        AtomicInteger updates = new AtomicInteger();
        localCloud.emulator().orElseThrow().addCallListener((action, request, nanos) -> {
            if (action.equals("UpdateService")) {
                updates.incrementAndGet();
            }
        });
        AtomicInteger notReadyWhileWarming = new AtomicInteger();
        await().atMost(Duration.ofSeconds(40)).pollInterval(Duration.ofMillis(200)).until(() -> {
            Response ready = given().get("/q/health/ready");
            // Sampled after the check answered: warming now means warming when it answered (it never starts again).
            boolean warming = warmUp.warming();
            assertThat(ready.statusCode() == 200 && warming).as("ready while warming up").isFalse();
            if (warming) {
                assertThat(ready.statusCode()).isEqualTo(503);
                assertThat(ready.asString()).contains("warming up");
                notReadyWhileWarming.incrementAndGet();
            }
            return ready.statusCode() == 200;
        });

        assertThat(notReadyWhileWarming).as("readiness asked while the warm-up ran").hasPositiveValue();
        assertThat(warmUp.jobs()).as("synthetic jobs sent to the stand-in").isPositive();
        assertThat(warmUp.requests()).as("requests answered 404 by the API").isPositive();
        String demo = Api.queue(sqs, "demo");
        assertThat(Api.messages(sqs, demo)).isZero();
        assertThat(sqs.listQueues().queueUrls()).noneMatch(url -> url.contains("warm-up"));
        given().auth().oauth2(SECRET).get("/v1/pools/demo").then().statusCode(200).body("desiredCount", equalTo(0));
        assertThat(ecs.describeServices(b -> b.cluster("local").services("demo")).services().get(0).desiredCount())
                .isZero();
        assertThat(updates).hasValue(0);
        assertThat(registry.find("coscale.auth.refused").counters()).isEmpty();
        assertThat(registry.find("http.server.requests").timers()).as("HTTP metrics: this test's own GETs only, not "
                + "the warm-up's calls to its stand-in and to the API").allSatisfy(timer ->
                        assertThat(timer.getId().getTag("method")).as(timer.getId().toString()).isEqualTo("GET"));
    }
}
