package io.coscale.api;

import static io.coscale.api.Api.json;
import static org.assertj.core.api.Assertions.assertThat;

import io.coscale.TestClock;
import io.coscale.config.IdempotencyConfig;
import io.coscale.idempotency.IdempotencyStore;
import io.coscale.local.LocalCloudTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusMock;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.ExtractableResponse;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * With a {@code coscale.idempotency.ttl} of three seconds, read on a clock the test moves: a key is remembered until
 * its time is up, and forgotten then. The application's own submissions, on that clock and TTL, for this test only.
 */
@QuarkusTest
@QuarkusTestResource(LocalCloudTestResource.class)
@TestProfile(ApiTestProfile.class)
class IdempotencyExpiryTest {

    static final Duration TTL = Duration.ofSeconds(3);

    final TestClock clock = TestClock.at(Instant.now().toString());

    @Inject
    SqsClient sqs;

    @Inject
    IdempotencyStore store;

    @Inject
    IdempotencyConfig config;

    @BeforeEach
    void submissionsOnTheTestsClock() {
        QuarkusMock.installMockForType(new IdempotentSubmissions(store, TTL, config.claim(), clock),
                IdempotentSubmissions.class);
    }

    static ExtractableResponse<Response> post(String key) {
        return json("{\"payload\": 1}").header("Idempotency-Key", key).post("/v1/pools/idle/jobs").then().extract();
    }

    @Test
    void aRepeatAfterTheKeyExpiredIsEnqueuedAnew() {
        String idle = Api.queue(sqs, "idle");
        sqs.purgeQueue(b -> b.queueUrl(idle));
        String first = post("expiring").path("jobId");

        clock.advance(TTL.minusMillis(1));
        ExtractableResponse<Response> repeat = post("expiring");
        assertThat(repeat.header(IdempotentSubmissions.REPLAYED)).as("a repeat within the TTL").isEqualTo("true");
        assertThat(repeat.<String>path("jobId")).isEqualTo(first);

        clock.advance(Duration.ofMillis(1));
        ExtractableResponse<Response> afterExpiry = post("expiring");
        assertThat(afterExpiry.statusCode()).isEqualTo(202);
        assertThat(afterExpiry.header(IdempotentSubmissions.REPLAYED)).as("a repeat once the TTL is up").isNull();
        assertThat(afterExpiry.<String>path("jobId")).isNotEqualTo(first);

        Map<String, ?> held = Api.takeAll(sqs, idle, 2, Duration.ofSeconds(10));
        assertThat(held).containsOnlyKeys(first, afterExpiry.<String>path("jobId"));
    }
}
