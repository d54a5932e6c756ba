package io.coscale.e2e;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.coscale.deploy.RecordedAwsCalls;
import io.coscale.local.LocalCloudTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/** The whole system in local mode, protect mode: jobs in, tasks up, jobs done, tasks back down, no busy task killed. */
@QuarkusTest
@QuarkusTestResource(LocalCloudTestResource.class)
@WithTestResource(RecordedAwsCalls.class)
@ExtendWith(RecordedAwsCalls.class)
class DemoPoolEndToEndTest {

    final SqsClient sqs = HarnessClients.sqs();

    @Test
    void fiftyJobsCompleteWithNoBusyTaskStoppedAndThePoolShrinksBack() throws Exception {
        Demo.awaitSettled();
        long completedBefore = Demo.stat("jobsCompleted");
        long callsBefore = Demo.updateServiceCalls();
        long stoppedWhileBusyBefore = Demo.stat("tasksStoppedWhileBusy");
        long interruptedBefore = Demo.stat("jobsInterrupted");

        Demo.submitConcurrently(50, 8, Demo::mixedLength);

        await().atMost(Duration.ofSeconds(90)).untilAsserted(() ->
                assertThat(Demo.stat("jobsCompleted") - completedBefore).isEqualTo(50));
        Demo.awaitSettled();
        long calls = Demo.updateServiceCalls() - callsBefore;
        System.out.printf("protect mode, 50 jobs: UpdateService calls %d, tasks started %d, stopped while busy %d%n",
                calls, Demo.stat("tasksStarted"), Demo.stat("tasksStoppedWhileBusy"));
        // The application is shared with the other end-to-end tests: none of this test's busy tasks was stopped.
        assertThat(Demo.stat("tasksStoppedWhileBusy")).isEqualTo(stoppedWhileBusyBefore);
        assertThat(Demo.stat("jobsInterrupted")).isEqualTo(interruptedBefore);
        assertThat(calls).isLessThanOrEqualTo(20);
        assertThat(Demo.eventCounts()).isNotEmpty().allSatisfy(n -> assertThat(n).isBetween(0, 8));
    }

    @Test
    void aJobThatFailsUntilItsDeadLetterCostsOneTaskStartPerReceiveAndNoFlapping() {
        Demo.awaitSettled();
        String dlq = sqs.getQueueUrl(b -> b.queueName("demo-dlq")).queueUrl();
        long placedBefore = Demo.stat("tasksPlaced");
        long receivedBefore = Demo.stat("jobsReceived");

        Demo.awaitReconcilePass(); // a queue read crossing the submission would start a second task for it
        Demo.submit("{\"fail\": true}");

        // The demo queue dead-letters after 3 receives; each waits out a 5 s visibility timeout in between.
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(250)).until(() -> Long.parseLong(
                sqs.getQueueAttributes(b -> b.queueUrl(dlq).attributeNames(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES))
                        .attributes().get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES)) == 1);
        Demo.awaitSettled();
        long receives = Demo.stat("jobsReceived") - receivedBefore;
        long starts = Demo.stat("tasksPlaced") - placedBefore;
        System.out.printf("failed job: %d receives, %d task starts; events, newest first:%n%s%n", receives, starts,
                given().get("/v1/pools/demo/events?limit=40").then().extract().body().asString());
        assertThat(receives).isEqualTo(3);
        // At most one start per receive: no start while the failed message waits out its visibility timeout, and
        // none for the receive that moves it to the dead-letter queue (the worker gives it back after its last try
        // and makes that receive itself).
        assertThat(starts).as("task starts for 3 receives").isLessThanOrEqualTo(receives);
        sqs.purgeQueue(b -> b.queueUrl(dlq));
    }

    @Test
    void aBurstOf500ConcurrentSubmissionsCostsAtMost20UpdateServiceCalls() throws Exception {
        Demo.awaitSettled();
        long callsBefore = Demo.updateServiceCalls();
        long completedBefore = Demo.stat("jobsCompleted");
        long stoppedWhileBusyBefore = Demo.stat("tasksStoppedWhileBusy");

        Demo.submitConcurrently(500, 32, "{\"seconds\": 0}");

        long scaleUpCalls = Demo.updateServiceCalls() - callsBefore;
        await().atMost(Duration.ofSeconds(120)).untilAsserted(() ->
                assertThat(Demo.stat("jobsCompleted") - completedBefore).isEqualTo(500));
        Demo.awaitSettled();
        long allCalls = Demo.updateServiceCalls() - callsBefore;
        System.out.printf("burst of 500: UpdateService calls during the burst %d, including the scale-in %d%n",
                scaleUpCalls, allCalls);
        assertThat(scaleUpCalls).isLessThanOrEqualTo(20);
        assertThat(Demo.stat("tasksStoppedWhileBusy")).isEqualTo(stoppedWhileBusyBefore);
    }
}
