package io.coscale.api;

import static io.coscale.api.Api.json;
import static io.coscale.api.Api.problem;
import static org.hamcrest.Matchers.containsString;

import io.coscale.local.LocalCloudTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Submissions when SQS takes the request and then cuts the connection without an answer (as a load balancer or a
 * crashed node does): the job may be in the queue, so the answer is not the 503 that promises nothing was enqueued
 * but a 502 that says a retry may enqueue it twice. Compare {@link JobsSqsUnreachableTest}, where the connection is
 * refused and nothing can have been sent.
 */
@QuarkusTest
@QuarkusTestResource(LocalCloudTestResource.class)
@TestProfile(ApiTestProfile.class)
class JobsSqsCutTest {

    @BeforeEach
    void sqsCutsConnections() {
        SqsStandIn.cutConnections();
    }

    @AfterEach
    void sqsAnswersAgain() {
        SqsStandIn.forward();
    }

    @Test
    void aJobIs502OutcomeUnknownNotA503() {
        problem(json("{\"payload\": {\"seconds\": 1}}").post("/v1/pools/demo/jobs").then(), 502)
                .body("type", containsString("outcome-unknown"))
                .body("detail", containsString("may be enqueued"));
    }

    @Test
    void aBatchIs502WhenEveryEntryMayBeEnqueued() {
        problem(json("{\"jobs\": [{\"payload\": 1}, {\"payload\": 2}]}").post("/v1/pools/demo/jobs:batch").then(), 502)
                .body("detail", containsString("may be enqueued"));
    }
}
