package io.coscale.local.ecs;

import static io.coscale.local.ecs.EcsJson.object;
import static io.coscale.local.ecs.EcsJson.requiredText;
import static io.coscale.local.ecs.EcsJson.text;
import static io.coscale.local.ecs.EcsJson.texts;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.coscale.local.ecs.EcsState.Cluster;
import io.coscale.local.ecs.EcsState.Task;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/** The task actions of the ECS API: listing, describing, stopping and scale-in protection. Called under the lock. */
final class TaskActions {

    private static final int MAX_LIST_RESULTS = 100;

    private final EcsState state;
    private final ServiceScheduler scheduler;

    TaskActions(EcsState state, ServiceScheduler scheduler) {
        this.state = state;
        this.scheduler = scheduler;
    }

    void register(Map<String, Function<JsonNode, ObjectNode>> handlers) {
        handlers.put("ListTasks", this::listTasks);
        handlers.put("DescribeTasks", this::describeTasks);
        handlers.put("StopTask", this::stopTask);
        handlers.put("UpdateTaskProtection", this::updateTaskProtection);
        handlers.put("GetTaskProtection", this::getTaskProtection);
    }

    private ObjectNode listTasks(JsonNode request) {
        Cluster cluster = state.cluster(text(request, "cluster"));
        String serviceName = text(request, "serviceName");
        if (serviceName != null && !cluster.services.containsKey(EcsState.lastSegment(serviceName))) {
            throw EcsApiException.serviceNotFound();
        }
        String desiredStatus = text(request, "desiredStatus") == null ? "RUNNING" : text(request, "desiredStatus");
        String family = text(request, "family");
        int maxResults = request.path("maxResults").asInt(MAX_LIST_RESULTS);
        if (maxResults < 1 || maxResults > MAX_LIST_RESULTS) {
            throw EcsApiException.invalidParameter("maxResults must be between 1 and 100.");
        }
        List<Task> matching = cluster.tasks.values().stream()
                .filter(t -> serviceName == null || (t.service != null && t.service.name.equals(EcsState.lastSegment(serviceName))))
                .filter(t -> family == null || t.taskDefinition.family().equals(family))
                .filter(t -> t.desiredStatus.equals(desiredStatus))
                .toList();
        int start = parseToken(text(request, "nextToken"), matching.size());
        int end = Math.min(matching.size(), start + maxResults);
        ObjectNode response = object();
        ArrayNode arns = response.putArray("taskArns");
        matching.subList(start, end).forEach(t -> arns.add(t.arn));
        if (end < matching.size()) {
            response.put("nextToken", Integer.toString(end));
        }
        return response;
    }

    private static int parseToken(String token, int size) {
        if (token == null) {
            return 0;
        }
        try {
            int start = Integer.parseInt(token);
            if (start >= 0 && start <= size) {
                return start;
            }
        } catch (NumberFormatException e) {
            // fall through: ECS answers a foreign token the same way
        }
        throw EcsApiException.invalidParameter("Invalid nextToken.");
    }

    private ObjectNode describeTasks(JsonNode request) {
        Cluster cluster = state.cluster(text(request, "cluster"));
        List<String> refs = texts(request, "tasks");
        if (refs.isEmpty() || refs.size() > 100) {
            throw EcsApiException.invalidParameter("tasks should have between 1 and 100 elements, got " + refs.size() + ".");
        }
        ObjectNode response = object();
        ArrayNode found = response.putArray("tasks");
        ArrayNode failures = response.putArray("failures");
        for (String ref : refs) {
            Task task = cluster.tasks.get(EcsState.lastSegment(ref));
            if (task == null) {
                failures.add(EcsJson.failure(ref, "MISSING"));
            } else {
                found.add(EcsJson.task(task));
            }
        }
        return response;
    }

    private ObjectNode stopTask(JsonNode request) {
        Cluster cluster = state.cluster(text(request, "cluster"));
        Task task = cluster.tasks.get(EcsState.lastSegment(requiredText(request, "task")));
        if (task == null) {
            throw EcsApiException.invalidParameter("The referenced task was not found.");
        }
        if (task.desiredStatus.equals("RUNNING")) {
            String reason = text(request, "reason");
            scheduler.stop(task, reason == null ? "Task stopped by user" : reason, "UserInitiated", StopCause.STOP_TASK,
                    Instant.now());
        }
        ObjectNode response = object();
        response.set("task", EcsJson.task(task));
        return response;
    }

    private ObjectNode updateTaskProtection(JsonNode request) {
        Cluster cluster = state.cluster(text(request, "cluster"));
        List<String> refs = texts(request, "tasks");
        if (refs.isEmpty() || refs.size() > 10) {
            throw EcsApiException.invalidParameter("tasks should have between 1 and 10 elements, got " + refs.size() + ".");
        }
        JsonNode enabled = request.get("protectionEnabled");
        if (enabled == null || !enabled.isBoolean()) {
            throw EcsApiException.invalidParameter("protectionEnabled must be specified.");
        }
        int minutes = request.path("expiresInMinutes").asInt(120);
        if (minutes < 1 || minutes > 2880) {
            throw EcsApiException.invalidParameter("expiresInMinutes must be between 1 and 2880.");
        }
        Instant now = Instant.now();
        ObjectNode response = object();
        ArrayNode protectedTasks = response.putArray("protectedTasks");
        ArrayNode failures = response.putArray("failures");
        for (String ref : refs) {
            Task task = cluster.tasks.get(EcsState.lastSegment(ref));
            if (task == null) {
                failures.add(EcsJson.failure(ref, "MISSING"));
            } else if (!task.desiredStatus.equals("RUNNING") || task.service == null) {
                failures.add(EcsJson.failure(task.arn, "TASK_NOT_VALID"));
            } else {
                task.protectedUntil = enabled.asBoolean() ? now.plusSeconds(60L * minutes) : null;
                protectedTasks.add(protection(task, now));
            }
        }
        return response;
    }

    private ObjectNode getTaskProtection(JsonNode request) {
        Cluster cluster = state.cluster(text(request, "cluster"));
        List<String> refs = texts(request, "tasks");
        Instant now = Instant.now();
        ObjectNode response = object();
        ArrayNode protectedTasks = response.putArray("protectedTasks");
        ArrayNode failures = response.putArray("failures");
        List<String> wanted = refs.isEmpty()
                ? cluster.tasks.values().stream().filter(t -> t.desiredStatus.equals("RUNNING")).map(t -> t.arn).toList()
                : refs;
        for (String ref : wanted) {
            Task task = cluster.tasks.get(EcsState.lastSegment(ref));
            if (task == null) {
                failures.add(EcsJson.failure(ref, "MISSING"));
            } else {
                protectedTasks.add(protection(task, now));
            }
        }
        return response;
    }

    private static ObjectNode protection(Task task, Instant now) {
        boolean isProtected = task.isProtected(now);
        ObjectNode node = object().put("taskArn", task.arn).put("protectionEnabled", isProtected);
        if (isProtected) {
            EcsJson.time(node, "expirationDate", task.protectedUntil);
        }
        return node;
    }
}
