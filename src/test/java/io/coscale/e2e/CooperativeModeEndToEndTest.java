package io.coscale.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.coscale.deploy.RecordedAwsCalls;
import io.coscale.local.LocalCloudTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * The same run as {@link DemoPoolEndToEndTest} in cooperative mode: no protection, so ECS may stop a busy
 * task on scale-in. It reports how many it stopped (the figure protect mode exists to bring to zero); it
 * asserts only what cooperative mode still guarantees: every job completes (SQS redelivers interrupted
 * ones) and the pool shrinks back within its bounds.
 *
 * <p>The demo pool is switched to cooperative mode through the API (pools as data) for the run and back to its
 * definition after it, so that the application is the one the other end-to-end tests share; the emulator's counters
 * are read as what this run added to them.
 */
@QuarkusTest
@QuarkusTestResource(LocalCloudTestResource.class)
@WithTestResource(RecordedAwsCalls.class)
@ExtendWith(RecordedAwsCalls.class)
class CooperativeModeEndToEndTest {

    final SqsClient sqs = HarnessClients.sqs();

    @Test
    void fiftyJobsCompleteAndTheBusyTasksStoppedAreReported() throws Exception {
        Demo.awaitSettled();
        // A short visibility timeout is not settable per test; interrupted jobs come back after the demo queue's 30 s.
        Map<String, Object> protect = Demo.redefine(Map.of("mode", "cooperative"));
        // Cooperative mode stops busy tasks by design, so one job may be received more often than the demo
        // queue's 3 receives before dead-lettering; that would be the redrive policy, not a lost job.
        String queue = sqs.getQueueUrl(b -> b.queueName("demo")).queueUrl();
        String dlq = sqs.getQueueUrl(b -> b.queueName("demo-dlq")).queueUrl();
        String redrive = sqs.getQueueAttributes(b -> b.queueUrl(queue).attributeNames(QueueAttributeName.REDRIVE_POLICY))
                .attributes().get(QueueAttributeName.REDRIVE_POLICY);
        String dlqArn = sqs.getQueueAttributes(b -> b.queueUrl(dlq).attributeNames(QueueAttributeName.QUEUE_ARN))
                .attributes().get(QueueAttributeName.QUEUE_ARN);
        try {
            sqs.setQueueAttributes(b -> b.queueUrl(queue).attributes(Map.of(QueueAttributeName.REDRIVE_POLICY,
                    "{\"deadLetterTargetArn\":\"" + dlqArn + "\",\"maxReceiveCount\":\"10\"}")));
            sqs.purgeQueue(b -> b.queueUrl(dlq)); // "dead-lettered 0": counted from an empty dead-letter queue
            runFiftyJobs(dlq);
        } finally {
            sqs.setQueueAttributes(b -> b.queueUrl(queue).attributes(Map.of(QueueAttributeName.REDRIVE_POLICY, redrive)));
            Demo.define(protect);
        }
    }

    private void runFiftyJobs(String dlq) throws Exception {
        JsonPath before = Demo.stats();
        long callsBefore = Demo.updateServiceCalls();

        Demo.submitConcurrently(50, 8, Demo::mixedLength);

        // A job is done when its message is gone from the queue: a worker deletes it only after its work. (The
        // emulator's jobsCompleted can miss a delete that a stop signal cut after SQS had taken it.)
        await().atMost(Duration.ofSeconds(120)).untilAsserted(() ->
                assertThat(added(before, "jobsCompleted") + added(before, "jobsInterrupted")).isGreaterThanOrEqualTo(50));
        Demo.awaitSettled();
        assertThat(sqs.getQueueAttributes(b -> b.queueUrl(dlq).attributeNames(
                QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES)).attributes()
                .get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES)).as("dead-lettered").isEqualTo("0");
        System.out.printf("cooperative mode, 50 jobs: busy tasks stopped by ECS %d, jobs interrupted %d, "
                + "UpdateService calls %d, tasks started %d%n", added(before, "tasksStoppedWhileBusy"),
                added(before, "jobsInterrupted"), Demo.updateServiceCalls() - callsBefore, added(before, "tasksStarted"));
        System.out.println("stats " + Demo.stats().prettify());
        assertThat(Demo.stats().getObject("apiCalls.UpdateTaskProtection", Long.class)).as("UpdateTaskProtection calls")
                .isEqualTo(before.getObject("apiCalls.UpdateTaskProtection", Long.class));
        assertThat(Demo.eventCounts()).isNotEmpty().allSatisfy(n -> assertThat(n).isBetween(0, 8));
    }

    /** How much the emulator's counter {@code stat} grew since {@code before}. */
    private static long added(JsonPath before, String stat) {
        return Demo.stat(stat) - before.getLong(stat);
    }
}
