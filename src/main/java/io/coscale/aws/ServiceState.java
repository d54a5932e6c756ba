package io.coscale.aws;

/** An ECS service as DescribeServices reports it. */
public record ServiceState(String cluster, String service, int desiredCount, int runningCount, int pendingCount,
        boolean active) {
}
