package io.coscale.local.ecs;

import static io.coscale.local.ecs.EcsJson.object;
import static io.coscale.local.ecs.EcsJson.requiredText;
import static io.coscale.local.ecs.EcsJson.texts;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.coscale.local.ecs.EcsState.Task;
import java.util.Map;
import java.util.function.Function;

/**
 * ECS resource tags on tasks: TagResource, UntagResource, ListTagsForResource. ECS keeps a task's tags for as
 * long as it keeps the task, which is what lets a control plane record a decision on the task itself. Called
 * under the emulator's lock.
 */
final class TagActions {

    private static final int MAX_TAGS = 50;

    private final EcsState state;

    TagActions(EcsState state) {
        this.state = state;
    }

    void register(Map<String, Function<JsonNode, ObjectNode>> handlers) {
        handlers.put("TagResource", this::tagResource);
        handlers.put("UntagResource", this::untagResource);
        handlers.put("ListTagsForResource", this::listTagsForResource);
    }

    private ObjectNode tagResource(JsonNode request) {
        Task task = task(requiredText(request, "resourceArn"));
        JsonNode tags = request.get("tags");
        if (tags == null || !tags.isArray() || tags.isEmpty()) {
            throw EcsApiException.invalidParameter("tags must have at least one element.");
        }
        for (JsonNode tag : tags) {
            String key = tag.path("key").asText("");
            String value = tag.path("value").asText("");
            if (key.isEmpty() || key.length() > 128 || value.length() > 256 || key.toLowerCase().startsWith("aws:")) {
                throw EcsApiException.invalidParameter("Invalid tag: key 1-128 characters not starting with aws:, value up to 256.");
            }
            task.tags.put(key, value);
        }
        if (task.tags.size() > MAX_TAGS) {
            throw EcsApiException.invalidParameter("A resource can have at most " + MAX_TAGS + " tags.");
        }
        return object();
    }

    private ObjectNode untagResource(JsonNode request) {
        Task task = task(requiredText(request, "resourceArn"));
        texts(request, "tagKeys").forEach(task.tags::remove);
        return object();
    }

    private ObjectNode listTagsForResource(JsonNode request) {
        ObjectNode response = object();
        EcsJson.tags(response, task(requiredText(request, "resourceArn")).tags);
        return response;
    }

    /** Only tasks carry tags here; ECS answers an unknown or malformed ARN as an invalid parameter. */
    private Task task(String arn) {
        int slash = arn.indexOf(":task/");
        if (!arn.startsWith("arn:") || slash < 0) {
            throw EcsApiException.invalidParameter("Invalid resourceArn: only task ARNs can be tagged here.");
        }
        String[] parts = arn.substring(slash + 6).split("/");
        if (parts.length != 2) {
            throw EcsApiException.invalidParameter("Invalid resourceArn.");
        }
        EcsState.Cluster cluster = state.clusters.get(parts[0]);
        Task task = cluster == null ? null : cluster.tasks.get(parts[1]);
        if (task == null) {
            throw new EcsApiException("ResourceNotFoundException", 400, "The specified resource could not be found.");
        }
        return task;
    }
}
