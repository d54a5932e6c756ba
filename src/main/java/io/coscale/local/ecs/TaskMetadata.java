package io.coscale.local.ecs;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.coscale.local.ecs.EcsState.Task;

/** The documents of the ECS task metadata endpoint v4, in the field names ECS uses (upper camel case). */
final class TaskMetadata {

    private TaskMetadata() {
    }

    /** {@code GET $ECS_CONTAINER_METADATA_URI_V4/task}. */
    static ObjectNode task(Task task) {
        ObjectNode node = EcsJson.object()
                .put("Cluster", task.cluster.arn)
                .put("TaskARN", task.arn)
                .put("Family", task.taskDefinition.family())
                .put("Revision", Integer.toString(task.taskDefinition.revision()))
                .put("DesiredStatus", task.desiredStatus)
                .put("KnownStatus", task.lastStatus)
                .put("AvailabilityZone", task.availabilityZone)
                .put("LaunchType", "FARGATE");
        node.putObject("Limits").put("CPU", 0.25).put("Memory", 512);
        if (task.startedAt != null) {
            node.put("PullStartedAt", task.createdAt.toString()).put("PullStoppedAt", task.startedAt.toString());
        }
        node.putArray("Containers").add(container(task));
        return node;
    }

    /** {@code GET $ECS_CONTAINER_METADATA_URI_V4}. */
    static ObjectNode container(Task task) {
        EcsState.Container container = task.taskDefinition.containers().get(0);
        ObjectNode node = EcsJson.object()
                .put("DockerId", task.id + "-" + container.name())
                .put("Name", container.name())
                .put("DockerName", container.name())
                .put("Image", container.image())
                .put("DesiredStatus", task.desiredStatus)
                .put("KnownStatus", task.lastStatus)
                .put("Type", "NORMAL")
                .put("ContainerARN", EcsState.ARN_PREFIX + "container/" + task.cluster.name + "/" + task.id + "/" + container.name());
        node.putObject("Labels")
                .put("com.amazonaws.ecs.cluster", task.cluster.arn)
                .put("com.amazonaws.ecs.task-arn", task.arn)
                .put("com.amazonaws.ecs.task-definition-family", task.taskDefinition.family())
                .put("com.amazonaws.ecs.task-definition-version", Integer.toString(task.taskDefinition.revision()));
        return node;
    }
}
