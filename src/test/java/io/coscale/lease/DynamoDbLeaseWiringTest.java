package io.coscale.lease;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import io.coscale.local.LocalCloudTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The application with {@code coscale.lease.store=dynamodb} against dynalite: the producer builds the DynamoDB store,
 * creates the table, and the single replica leads through it.
 */
@QuarkusTest
@QuarkusTestResource(LocalCloudTestResource.class)
@TestProfile(DynamoDbLeaseWiringTest.OnDynalite.class)
class DynamoDbLeaseWiringTest {

    /** Scopes dynalite, and the store setting, to this test's own application. */
    public static class OnDynalite implements QuarkusTestProfile {
        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(DynaliteTestResource.class));
        }
    }

    @Inject
    LeaseStore store;

    @Inject
    Leadership leadership;

    @Test
    void theOnlyReplicaLeadsThroughTheItemInDynamoDb() {
        assertThat(store).isInstanceOf(DynamoDbLeaseStore.class);
        await().atMost(Duration.ofSeconds(10)).until(leadership::isLeader);
        LeaseItem item = store.read("coscale").orElseThrow();
        assertThat(item.holder()).isEqualTo(leadership.selfId());
        assertThat(item.epoch()).isEqualTo(leadership.epoch()).isGreaterThanOrEqualTo(1);
        given().get("/v1/leader").then().statusCode(200)
                .body("leader", equalTo(leadership.selfId())).body("self", equalTo(true))
                .body("address", equalTo(item.address()));
    }
}
