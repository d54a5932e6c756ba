package io.coscale.local.ecs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.coscale.local.ecs.EcsState.Cluster;
import io.coscale.local.ecs.EcsState.Service;
import io.coscale.local.ecs.EcsState.Task;
import io.coscale.local.ecs.EcsState.TaskDefinition;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** ECS's JSON shapes: request fields in, clusters, services and tasks out (timestamps as epoch seconds). */
final class EcsJson {

    static final ObjectMapper MAPPER = new ObjectMapper();

    private EcsJson() {
    }

    static ObjectNode object() {
        return MAPPER.createObjectNode();
    }

    static String text(JsonNode request, String field) {
        JsonNode value = request.get(field);
        return value == null || value.isNull() ? null : value.asText();
    }

    static String requiredText(JsonNode request, String field) {
        String value = text(request, field);
        if (value == null || value.isBlank()) {
            throw EcsApiException.invalidParameter(field + " must be specified.");
        }
        return value;
    }

    static List<String> texts(JsonNode request, String field) {
        List<String> values = new ArrayList<>();
        JsonNode array = request.get(field);
        if (array != null && array.isArray()) {
            array.forEach(v -> values.add(v.asText()));
        }
        return values;
    }

    static void time(ObjectNode node, String field, Instant at) {
        if (at != null) {
            node.put(field, at.toEpochMilli() / 1000.0);
        }
    }

    static ObjectNode cluster(Cluster cluster) {
        ObjectNode node = object()
                .put("clusterArn", cluster.arn)
                .put("clusterName", cluster.name)
                .put("status", "ACTIVE")
                .put("runningTasksCount", cluster.countTasks("RUNNING"))
                .put("pendingTasksCount", cluster.countTasks("PENDING"))
                .put("activeServicesCount", cluster.services.size())
                .put("registeredContainerInstancesCount", 0);
        return node;
    }

    static ObjectNode taskDefinition(TaskDefinition definition) {
        ObjectNode node = object()
                .put("taskDefinitionArn", definition.arn())
                .put("family", definition.family())
                .put("revision", definition.revision())
                .put("status", "ACTIVE")
                .put("cpu", definition.cpu())
                .put("memory", definition.memory());
        ArrayNode containers = node.putArray("containerDefinitions");
        for (EcsState.Container c : definition.containers()) {
            ObjectNode container = containers.addObject()
                    .put("name", c.name())
                    .put("image", c.image())
                    .put("essential", true)
                    .put("stopTimeout", c.stopTimeoutSeconds());
            ArrayNode environment = container.putArray("environment");
            c.environment().forEach((k, v) -> environment.addObject().put("name", k).put("value", v));
        }
        return node;
    }

    static ObjectNode service(Service service) {
        ObjectNode node = object()
                .put("serviceArn", service.arn)
                .put("serviceName", service.name)
                .put("clusterArn", service.cluster.arn)
                .put("status", "ACTIVE")
                .put("desiredCount", service.desiredCount)
                .put("runningCount", service.count("RUNNING"))
                .put("pendingCount", service.count("PENDING"))
                .put("launchType", "FARGATE")
                .put("taskDefinition", service.taskDefinition().arn())
                .put("schedulingStrategy", "REPLICA");
        node.putObject("deploymentConfiguration")
                .put("minimumHealthyPercent", service.deploymentConfiguration.minimumHealthyPercent())
                .put("maximumPercent", service.deploymentConfiguration.maximumPercent());
        node.putObject("deploymentController").put("type", "ECS");
        time(node, "createdAt", service.createdAt);
        ArrayNode deployments = node.putArray("deployments");
        for (Deployment d : service.deployments) {
            deployments.add(deployment(service, d));
        }
        node.putArray("events");
        return node;
    }

    /** An ACTIVE deployment's desiredCount is what it still runs: ECS lowers it as the PRIMARY one takes over. */
    private static ObjectNode deployment(Service service, Deployment d) {
        long running = service.count(d, "RUNNING");
        long pending = service.count(d, "PENDING");
        ObjectNode node = object()
                .put("id", d.id)
                .put("status", d.status)
                .put("taskDefinition", d.taskDefinition.arn())
                .put("desiredCount", d.isPrimary() ? service.desiredCount : running + pending)
                .put("runningCount", running)
                .put("pendingCount", pending)
                .put("launchType", "FARGATE")
                .put("rolloutState", d.rolloutState);
        time(node, "createdAt", d.createdAt);
        time(node, "updatedAt", d.updatedAt);
        return node;
    }

    static ObjectNode task(Task task) {
        ObjectNode node = object()
                .put("taskArn", task.arn)
                .put("clusterArn", task.cluster.arn)
                .put("taskDefinitionArn", task.taskDefinition.arn())
                .put("group", task.group())
                .put("lastStatus", task.lastStatus)
                .put("desiredStatus", task.desiredStatus)
                .put("availabilityZone", task.availabilityZone)
                .put("launchType", "FARGATE")
                .put("cpu", task.taskDefinition.cpu())
                .put("memory", task.taskDefinition.memory())
                .put("version", 1);
        if (task.deployment != null) {
            node.put("startedBy", task.deployment.id);
        }
        // ECS shows tags only to DescribeTasks with include TAGS; shown always here (coscale always asks for them).
        if (!task.tags.isEmpty()) {
            tags(node, task.tags);
        }
        time(node, "createdAt", task.createdAt);
        time(node, "startedAt", task.startedAt);
        time(node, "stoppingAt", task.stoppingAt);
        time(node, "stoppedAt", task.stoppedAt);
        if (task.stoppedReason != null) {
            node.put("stoppedReason", task.stoppedReason).put("stopCode", task.stopCode);
        }
        ArrayNode containers = node.putArray("containers");
        for (EcsState.Container c : task.taskDefinition.containers()) {
            ObjectNode container = containers.addObject()
                    .put("containerArn", EcsState.ARN_PREFIX + "container/" + task.cluster.name + "/" + task.id + "/" + c.name())
                    .put("taskArn", task.arn)
                    .put("name", c.name())
                    .put("image", c.image())
                    .put("lastStatus", task.lastStatus);
            if (task.exitCode != null) {
                container.put("exitCode", task.exitCode);
            }
            if (task.containerReason != null) {
                container.put("reason", task.containerReason);
            }
        }
        return node;
    }

    /** Puts {@code "tags": [{"key", "value"}…]} on a node. */
    static void tags(ObjectNode node, Map<String, String> tags) {
        ArrayNode array = node.putArray("tags");
        tags.forEach((k, v) -> array.addObject().put("key", k).put("value", v));
    }

    static ObjectNode failure(String arn, String reason) {
        return object().put("arn", arn).put("reason", reason);
    }
}
