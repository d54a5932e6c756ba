package io.coscale.local.task;

import java.util.Map;

/**
 * Everything a runner needs to start one task's workload.
 *
 * @param taskArn the task's ARN, also served by its metadata endpoint
 * @param environment the container environment: {@code ECS_CONTAINER_METADATA_URI_V4}, {@code COSCALE_URL},
 *        {@code QUEUE_URL}, {@code AWS_ENDPOINT_URL_SQS}, region and dummy credentials
 * @param jobs where the workload reports the jobs it works
 */
public record TaskLaunch(String taskArn, Map<String, String> environment, JobTracker jobs) {

    public TaskLaunch {
        environment = Map.copyOf(environment);
    }
}
