package io.coscale.api;

import static io.coscale.api.Api.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.coscale.local.LocalCloudTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.ExtractableResponse;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.sqs.SqsClient;

/** With {@code coscale.idempotency.ttl} of a few seconds: a key is forgotten once its time is up. */
@QuarkusTest
@QuarkusTestResource(LocalCloudTestResource.class)
@TestProfile(IdempotencyExpiryTest.ShortTtl.class)
class IdempotencyExpiryTest {

    public static class ShortTtl extends IdempotencyTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            Map<String, String> config = new HashMap<>(super.getConfigOverrides());
            config.put("coscale.idempotency.ttl", "3s");
            return config;
        }
    }

    @Inject
    SqsClient sqs;

    static ExtractableResponse<Response> post(String key) {
        return json("{\"payload\": 1}").header("Idempotency-Key", key).post("/v1/pools/idle/jobs").then().extract();
    }

    @Test
    void aRepeatAfterTheKeyExpiredIsEnqueuedAnew() {
        String idle = Api.queue(sqs, "idle");
        sqs.purgeQueue(b -> b.queueUrl(idle));
        long sent = System.nanoTime();
        String first = post("expiring").path("jobId");
        ExtractableResponse<Response> repeat = post("expiring");
        if (Duration.ofNanos(System.nanoTime() - sent).compareTo(Duration.ofSeconds(2)) < 0) {
            // Only when the machine answered in time is the repeat sure to fall within the three seconds.
            assertThat(repeat.header(IdempotentSubmissions.REPLAYED)).isEqualTo("true");
            assertThat(repeat.<String>path("jobId")).isEqualTo(first);
        }

        ExtractableResponse<Response> afterExpiry = await().atMost(Duration.ofSeconds(15))
                .pollInterval(Duration.ofMillis(250)).until(() -> post("expiring"),
                        r -> r.header(IdempotentSubmissions.REPLAYED) == null && !first.equals(r.path("jobId")));
        assertThat(afterExpiry.statusCode()).isEqualTo(202);
        assertThat(Duration.ofNanos(System.nanoTime() - sent)).isGreaterThanOrEqualTo(Duration.ofSeconds(3));

        Map<String, ?> held = Api.takeAll(sqs, idle, 2, Duration.ofSeconds(10));
        assertThat(held).containsOnlyKeys(first, afterExpiry.<String>path("jobId"));
    }
}
