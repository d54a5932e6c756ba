package io.coscale.control.status;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.coscale.api.ApiTestProfile;
import io.coscale.local.LocalCloudTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.sqs.SqsClient;

/** What the status side keeps of a pool goes with the pool: a pool deleted and created again starts its charts afresh. */
@QuarkusTest
@QuarkusTestResource(LocalCloudTestResource.class)
@TestProfile(ApiTestProfile.class)
class StatusSamplerRetentionTest {

    private static final String POOL = "retention-pool";

    @Inject
    StatusSampler sampler;

    @Inject
    SqsClient sqs;

    @Inject
    EcsClient ecs;

    private static void put() {
        given().contentType(ContentType.JSON)
                .body("{\"cluster\": \"local\", \"service\": \"" + POOL + "\", \"queue-name\": \"" + POOL
                        + "\", \"max-tasks\": 2}")
                .put("/v1/pools/" + POOL).then().statusCode(201);
    }

    @Test
    void aDeletedPoolsSamplesAreForgottenSoThatOneCreatedAgainStartsAfresh() {
        sqs.createQueue(b -> b.queueName(POOL));
        ecs.createService(b -> b.cluster("local").serviceName(POOL).taskDefinition("demo-worker").desiredCount(0));
        put();
        sampler.sample();
        sampler.sample();
        assertThat(sampler.samples(POOL).orElseThrow()).hasSizeGreaterThanOrEqualTo(2);

        given().delete("/v1/pools/" + POOL).then().statusCode(204);
        sampler.sample();
        Instant deleted = Instant.now();
        put();

        assertThat(sampler.samples(POOL).orElseThrow()).allSatisfy(s -> assertThat(s.at()).isAfterOrEqualTo(deleted));
        given().delete("/v1/pools/" + POOL).then().statusCode(204);
    }
}
