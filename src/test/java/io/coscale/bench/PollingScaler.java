package io.coscale.bench;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * The baseline: a scaler in the style of KEDA's aws-sqs-queue scaler or an Application Auto Scaling target
 * tracking policy. Every {@code interval} it reads the queue's depth from SQS and, when the target differs
 * from what it last set, calls UpdateService. Nothing happens between two polls, so a job waits for the next
 * one: the latency coscale removes. Real poll intervals are 30 s (KEDA's default) to minutes (AAS); the
 * benchmark runs it with a short one to stay short.
 */
final class PollingScaler implements AutoCloseable {

    private final SqsClient sqs;
    private final EcsClient ecs;
    private final String queueUrl;
    private final String cluster;
    private final String service;
    private final int maxTasks;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "bench-polling-scaler");
        t.setDaemon(true);
        return t;
    });
    private int lastSet;

    PollingScaler(SqsClient sqs, EcsClient ecs, String queueUrl, String cluster, String service, int maxTasks) {
        this.sqs = sqs;
        this.ecs = ecs;
        this.queueUrl = queueUrl;
        this.cluster = cluster;
        this.service = service;
        this.maxTasks = maxTasks;
    }

    void start(Duration interval) {
        timer.scheduleAtFixedRate(this::poll, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void poll() {
        try {
            var attributes = sqs.getQueueAttributes(b -> b.queueUrl(queueUrl).attributeNames(
                    QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES,
                    QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE)).attributes();
            long backlog = Long.parseLong(attributes.get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES))
                    + Long.parseLong(attributes.get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE));
            int target = (int) Math.min(maxTasks, backlog);
            if (target != lastSet) {
                ecs.updateService(b -> b.cluster(cluster).service(service).desiredCount(target));
                lastSet = target;
            }
        } catch (RuntimeException e) {
            System.err.println("polling scaler: " + e);
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
