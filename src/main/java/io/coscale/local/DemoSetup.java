package io.coscale.local;

import java.time.Duration;
import java.util.Map;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.ecs.model.KeyValuePair;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * Creates the demo pool's resources in the local cloud, through the same SDK calls one would make against
 * AWS: queue {@code demo} (redriven to {@code demo-dlq} after 3 receives), cluster {@code local}, task
 * definition {@code demo-worker}, and service {@code demo} with desiredCount 0.
 */
final class DemoSetup {

    static final String POOL = "demo";
    static final String CLUSTER = "local";
    static final String SERVICE = "demo";
    static final String QUEUE = "demo";
    static final String DEAD_LETTER_QUEUE = "demo-dlq";
    static final int STOP_TIMEOUT_SECONDS = 30;

    private DemoSetup() {
    }

    static void create(SqsClient sqs, EcsClient ecs, Duration visibilityTimeout) {
        String dlqUrl = sqs.createQueue(b -> b.queueName(DEAD_LETTER_QUEUE)).queueUrl();
        String dlqArn = sqs.getQueueAttributes(b -> b.queueUrl(dlqUrl).attributeNames(QueueAttributeName.QUEUE_ARN))
                .attributes().get(QueueAttributeName.QUEUE_ARN);
        String queueUrl = sqs.createQueue(b -> b.queueName(QUEUE).attributes(Map.of(
                QueueAttributeName.VISIBILITY_TIMEOUT, Long.toString(visibilityTimeout.toSeconds()),
                QueueAttributeName.REDRIVE_POLICY,
                "{\"deadLetterTargetArn\":\"" + dlqArn + "\",\"maxReceiveCount\":\"3\"}"))).queueUrl();

        ecs.createCluster(b -> b.clusterName(CLUSTER));
        ecs.registerTaskDefinition(b -> b.family("demo-worker").cpu("256").memory("512")
                .containerDefinitions(c -> c.name("worker").image("coscale/reference-worker:local")
                        .essential(true)
                        .stopTimeout(STOP_TIMEOUT_SECONDS)
                        .environment(KeyValuePair.builder().name("QUEUE_URL").value(queueUrl).build())));
        boolean exists = ecs.describeServices(b -> b.cluster(CLUSTER).services(SERVICE)).services().stream()
                .anyMatch(s -> "ACTIVE".equals(s.status()));
        if (!exists) {
            ecs.createService(b -> b.cluster(CLUSTER).serviceName(SERVICE).taskDefinition("demo-worker")
                    .desiredCount(0));
        }
    }
}
