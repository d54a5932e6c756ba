package io.coscale.api;

import static io.coscale.api.Api.json;
import static io.coscale.api.Api.problem;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import io.coscale.local.LocalCloudTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Submissions while SQS cannot be reached at all (connection refused): 503 with {@code Retry-After}, for one job
 * and for a batch. coscale's SQS client is on {@link SqsStandIn}, because the SDK sends to the client's endpoint
 * whatever the queue URL says: the only way to make SQS unreachable for one pool is to make it unreachable for coscale
 * (for the length of each test: the stand-in forwards again after it).
 */
@QuarkusTest
@QuarkusTestResource(LocalCloudTestResource.class)
@TestProfile(ApiTestProfile.class)
class JobsSqsUnreachableTest {

    @BeforeEach
    void sqsRefusesConnections() {
        SqsStandIn.refuseConnections();
    }

    @AfterEach
    void sqsAnswersAgain() {
        SqsStandIn.forward();
    }

    @Test
    void aJobIs503WithRetryAfterAndIsNotAcknowledged() {
        problem(json("{\"payload\": {\"seconds\": 1}}").post("/v1/pools/demo/jobs").then(), 503)
                .header("Retry-After", equalTo("1"))
                .body("detail", containsString("queue unreachable: the job was not enqueued"));
    }

    @Test
    void aBatchIs503WithRetryAfterWhenNoEntryGotThrough() {
        problem(json("{\"jobs\": [{\"payload\": 1}, {\"payload\": 2}]}").post("/v1/pools/demo/jobs:batch").then(), 503)
                .header("Retry-After", equalTo("1"))
                .body("detail", containsString("nothing was enqueued"));
    }

    @Test
    void validationStillComesFirst() {
        problem(json("{\"payload\": 1, \"delaySeconds\": 901}").post("/v1/pools/demo/jobs").then(), 400);
        problem(json("{\"payload\": 1}").post("/v1/pools/nope/jobs").then(), 404);
    }
}
