package io.coscale.aws;

/**
 * An ECS service as DescribeServices reports it; {@code primaryDeployment} is the id of its PRIMARY deployment (the
 * one it converges to; null when ECS shows none): a task another deployment started belongs to an older deployment,
 * whether that deployment brought a new task definition or was forced with the same one.
 */
public record ServiceState(String cluster, String service, int desiredCount, int runningCount, int pendingCount,
        boolean active, String primaryDeployment) {
}
