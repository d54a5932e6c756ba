package io.coscale.aws;

/**
 * An ECS service as DescribeServices reports it; {@code primaryDeployment} is the id of its PRIMARY deployment (the
 * one it converges to; null when ECS shows none): a task another deployment started belongs to an older deployment,
 * whether that deployment brought a new task definition or was forced with the same one.
 */
public record ServiceState(String cluster, String service, int desiredCount, int runningCount, int pendingCount,
        boolean active, String primaryDeployment) {

    /**
     * Whether a task was started by another deployment than the PRIMARY one: a new task definition or a forced
     * deployment with the same one. A stale read can only make a task of the new deployment look old: it then exits
     * and ECS replaces it, which is safe.
     *
     * @param startedBy the task's {@code startedBy}, the id of the deployment that started it; null when not known
     */
    public boolean olderDeployment(String startedBy) {
        return startedBy != null && primaryDeployment != null && !startedBy.equals(primaryDeployment);
    }
}
