package io.coscale.aws;

/**
 * An ECS service as DescribeServices reports it; {@code taskDefinition} is its current (primary deployment's) task
 * definition ARN: tasks running another one belong to an older deployment.
 */
public record ServiceState(String cluster, String service, int desiredCount, int runningCount, int pendingCount,
        boolean active, String taskDefinition) {
}
