package io.coscale.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.coscale.deploy.RecordedAwsCalls;
import io.coscale.local.LocalCloudTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
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
 */
@QuarkusTest
@QuarkusTestResource(LocalCloudTestResource.class)
@QuarkusTestResource(value = RecordedAwsCalls.class, restrictToAnnotatedClass = true)
@ExtendWith(RecordedAwsCalls.class)
@TestProfile(CooperativeModeEndToEndTest.Cooperative.class)
class CooperativeModeEndToEndTest {

    public static class Cooperative implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            // A short visibility timeout is not settable per test; interrupted jobs come back after the demo queue's 30 s.
            return Map.of("coscale.pools.demo.mode", "cooperative");
        }
    }

    final SqsClient sqs = HarnessClients.sqs();

    @Test
    void fiftyJobsCompleteAndTheBusyTasksStoppedAreReported() throws Exception {
        Demo.awaitSettled();
        long callsBefore = Demo.updateServiceCalls();
        // Cooperative mode stops busy tasks by design, so one job may be received more often than the demo
        // queue's 3 receives before dead-lettering; that would be the redrive policy, not a lost job.
        String queue = sqs.getQueueUrl(b -> b.queueName("demo")).queueUrl();
        String dlq = sqs.getQueueUrl(b -> b.queueName("demo-dlq")).queueUrl();
        String dlqArn = sqs.getQueueAttributes(b -> b.queueUrl(dlq).attributeNames(QueueAttributeName.QUEUE_ARN))
                .attributes().get(QueueAttributeName.QUEUE_ARN);
        sqs.setQueueAttributes(b -> b.queueUrl(queue).attributes(Map.of(QueueAttributeName.REDRIVE_POLICY,
                "{\"deadLetterTargetArn\":\"" + dlqArn + "\",\"maxReceiveCount\":\"10\"}")));

        Demo.submitConcurrently(50, 8, Demo::mixedLength);

        // A job is done when its message is gone from the queue: a worker deletes it only after its work. (The
        // emulator's jobsCompleted can miss a delete that a stop signal cut after SQS had taken it.)
        await().atMost(Duration.ofSeconds(120)).untilAsserted(() ->
                assertThat(Demo.stat("jobsCompleted") + Demo.stat("jobsInterrupted")).isGreaterThanOrEqualTo(50));
        Demo.awaitSettled();
        assertThat(sqs.getQueueAttributes(b -> b.queueUrl(dlq).attributeNames(
                QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES)).attributes()
                .get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES)).as("dead-lettered").isEqualTo("0");
        System.out.printf("cooperative mode, 50 jobs: busy tasks stopped by ECS %d, jobs interrupted %d, "
                + "UpdateService calls %d, tasks started %d%n", Demo.stat("tasksStoppedWhileBusy"),
                Demo.stat("jobsInterrupted"), Demo.updateServiceCalls() - callsBefore, Demo.stat("tasksStarted"));
        System.out.println("stats " + Demo.stats().prettify());
        assertThat(Demo.stats().getObject("apiCalls.UpdateTaskProtection", Long.class)).isNull();
        assertThat(Demo.eventCounts()).isNotEmpty().allSatisfy(n -> assertThat(n).isBetween(0, 8));
    }
}
