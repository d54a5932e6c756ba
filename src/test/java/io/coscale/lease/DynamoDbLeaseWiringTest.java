package io.coscale.lease;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;

import io.coscale.local.LocalCloudTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.coscale.api.AuthTestProfile;
import io.coscale.api.IdempotentSubmissions;
import io.coscale.idempotency.DynamoDbIdempotencyStore;
import io.coscale.idempotency.IdempotencyKey;
import io.coscale.idempotency.IdempotencyRecord;
import io.coscale.idempotency.IdempotencyStore;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.UUID;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The application with {@code coscale.lease.store=dynamodb} against dynalite: the producer builds the DynamoDB store,
 * creates the table, and the single replica leads through it; the Idempotency-Key records are kept in the same table.
 * The application is {@link AuthTestProfile}'s, as deployed (auth on): each call carries a token of its role.
 */
@QuarkusTest
@QuarkusTestResource(LocalCloudTestResource.class)
@TestProfile(AuthTestProfile.class)
class DynamoDbLeaseWiringTest {

    @Inject
    LeaseStore store;

    @Inject
    Leadership leadership;

    @Inject
    IdempotencyStore keys;

    @Test
    void theOnlyReplicaLeadsThroughTheItemInDynamoDb() {
        assertThat(store).isInstanceOf(DynamoDbLeaseStore.class);
        await().atMost(Duration.ofSeconds(10)).until(leadership::isLeader);
        LeaseItem item = store.read("coscale").orElseThrow();
        assertThat(item.holder()).isEqualTo(leadership.selfId());
        assertThat(item.epoch()).isEqualTo(leadership.epoch()).isGreaterThanOrEqualTo(1);
        given().header("Authorization", "Bearer " + AuthTestProfile.READ).get("/v1/leader").then().statusCode(200)
                .body("leader", equalTo(leadership.selfId())).body("self", equalTo(true))
                .body("address", equalTo(item.address()));
    }

    @Test
    void idempotencyKeysLiveInTheSameTable() {
        assertThat(keys).isInstanceOf(DynamoDbIdempotencyStore.class);
        String key = "wiring-" + UUID.randomUUID();
        String jobId = given().urlEncodingEnabled(false).header("Authorization", "Bearer " + AuthTestProfile.SUBMIT)
                .contentType("application/json").header("Idempotency-Key", key)
                .body("{\"payload\": {\"seconds\": 0}}").post("/v1/pools/demo/jobs").then().statusCode(202)
                .header(IdempotentSubmissions.REPLAYED, nullValue()).extract().path("jobId");
        given().urlEncodingEnabled(false).header("Authorization", "Bearer " + AuthTestProfile.SUBMIT)
                .contentType("application/json").header("Idempotency-Key", key)
                .body("{\"payload\": {\"seconds\": 0}}").post("/v1/pools/demo/jobs").then().statusCode(202)
                .header(IdempotentSubmissions.REPLAYED, equalTo("true")).body("jobId", equalTo(jobId));

        IdempotencyRecord record = keys.find(new IdempotencyKey("demo", key), Instant.now()).join().orElseThrow();
        assertThat(record.state()).isEqualTo(IdempotencyRecord.State.DONE);
        assertThat(record.jobIds()).containsExactly(jobId);
        assertThat(store.read("coscale")).isPresent();
    }
}
