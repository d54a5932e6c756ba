package io.coscale.local.ecs;

import static io.coscale.local.ecs.EcsJson.object;
import static io.coscale.local.ecs.EcsJson.requiredText;
import static io.coscale.local.ecs.EcsJson.text;
import static io.coscale.local.ecs.EcsJson.texts;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.coscale.local.ecs.EcsState.Cluster;
import io.coscale.local.ecs.EcsState.Container;
import io.coscale.local.ecs.EcsState.Service;
import io.coscale.local.ecs.EcsState.TaskDefinition;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The cluster, task-definition and service actions of the ECS API; task actions are in {@link TaskActions}.
 * Each takes the request's JSON and returns the response's, validating as ECS does. Called under the
 * emulator's lock.
 */
final class EcsActions {

    private final EcsState state;
    private final TaskActions tasks;
    private final EmulatorStats stats;
    private final Map<String, Function<JsonNode, ObjectNode>> handlers = new LinkedHashMap<>();

    EcsActions(EcsState state, TaskActions tasks, EmulatorStats stats) {
        this.state = state;
        this.tasks = tasks;
        this.stats = stats;
        handlers.put("CreateCluster", this::createCluster);
        handlers.put("DescribeClusters", this::describeClusters);
        handlers.put("ListClusters", r -> listClusters());
        handlers.put("RegisterTaskDefinition", this::registerTaskDefinition);
        handlers.put("CreateService", this::createService);
        handlers.put("ListServices", this::listServices);
        handlers.put("DescribeServices", this::describeServices);
        handlers.put("UpdateService", this::updateService);
        tasks.register(handlers);
        new TagActions(state).register(handlers);
    }

    boolean supports(String action) {
        return handlers.containsKey(action);
    }

    ObjectNode handle(String action, JsonNode request) {
        Function<JsonNode, ObjectNode> handler = handlers.get(action);
        if (handler == null) {
            throw new EcsApiException("UnknownOperationException", 400, "Unsupported action " + action);
        }
        return handler.apply(request);
    }

    private ObjectNode createCluster(JsonNode request) {
        String name = text(request, "clusterName");
        Cluster cluster = state.clusters.computeIfAbsent(name == null ? "default" : name, Cluster::new);
        ObjectNode response = object();
        response.set("cluster", EcsJson.cluster(cluster));
        return response;
    }

    private ObjectNode describeClusters(JsonNode request) {
        List<String> names = texts(request, "clusters");
        ObjectNode response = object();
        ArrayNode found = response.putArray("clusters");
        ArrayNode failures = response.putArray("failures");
        for (String name : names.isEmpty() ? List.of("default") : names) {
            Cluster cluster = state.clusters.get(EcsState.lastSegment(name));
            if (cluster == null) {
                failures.add(EcsJson.failure(name, "MISSING"));
            } else {
                found.add(EcsJson.cluster(cluster));
            }
        }
        return response;
    }

    private ObjectNode listClusters() {
        ObjectNode response = object();
        ArrayNode arns = response.putArray("clusterArns");
        state.clusters.values().forEach(c -> arns.add(c.arn));
        return response;
    }

    private ObjectNode registerTaskDefinition(JsonNode request) {
        String family = requiredText(request, "family");
        JsonNode definitions = request.get("containerDefinitions");
        if (definitions == null || !definitions.isArray() || definitions.isEmpty()) {
            throw EcsApiException.client("Container list cannot be empty.");
        }
        List<Container> containers = new ArrayList<>();
        for (JsonNode c : definitions) {
            Map<String, String> environment = new LinkedHashMap<>();
            c.path("environment").forEach(e -> environment.put(e.path("name").asText(), e.path("value").asText()));
            int stopTimeout = c.path("stopTimeout").asInt(30);
            if (stopTimeout < 0 || stopTimeout > 120) {
                throw EcsApiException.client("stopTimeout must be between 0 and 120 seconds.");
            }
            containers.add(new Container(requiredText(c, "name"), c.path("image").asText(""), environment, stopTimeout));
        }
        List<TaskDefinition> revisions = state.taskDefinitions.computeIfAbsent(family, f -> new ArrayList<>());
        TaskDefinition definition = new TaskDefinition(family, revisions.size() + 1, List.copyOf(containers),
                request.path("cpu").asText("256"), request.path("memory").asText("512"));
        revisions.add(definition);
        ObjectNode response = object();
        response.set("taskDefinition", EcsJson.taskDefinition(definition));
        return response;
    }

    private ObjectNode createService(JsonNode request) {
        Cluster cluster = state.cluster(text(request, "cluster"));
        String name = requiredText(request, "serviceName");
        TaskDefinition definition = state.taskDefinition(requiredText(request, "taskDefinition"))
                .orElseThrow(() -> EcsApiException.client("TaskDefinition not found."));
        int desired = request.path("desiredCount").asInt(0);
        if (desired < 0) {
            throw EcsApiException.invalidParameter("desiredCount must be at least 0.");
        }
        DeploymentConfiguration configuration = deploymentConfiguration(request, DeploymentConfiguration.DEFAULT);
        if (cluster.services.containsKey(name)) {
            throw EcsApiException.invalidParameter("Creation of service was not idempotent.");
        }
        Service service = new Service(name, cluster, definition, desired, configuration, Instant.now());
        cluster.services.put(name, service);
        ObjectNode response = object();
        response.set("service", EcsJson.service(service));
        return response;
    }

    private ObjectNode listServices(JsonNode request) {
        Cluster cluster = state.cluster(text(request, "cluster"));
        ObjectNode response = object();
        ArrayNode arns = response.putArray("serviceArns");
        cluster.services.values().forEach(s -> arns.add(s.arn));
        return response;
    }

    private ObjectNode describeServices(JsonNode request) {
        Cluster cluster = state.cluster(text(request, "cluster"));
        List<String> names = texts(request, "services");
        if (names.isEmpty() || names.size() > 10) {
            throw EcsApiException.invalidParameter("services should have between 1 and 10 elements, got " + names.size() + ".");
        }
        ObjectNode response = object();
        ArrayNode found = response.putArray("services");
        ArrayNode failures = response.putArray("failures");
        for (String name : names) {
            Service service = cluster.services.get(EcsState.lastSegment(name));
            if (service == null) {
                failures.add(EcsJson.failure(name.startsWith("arn:") ? name
                        : EcsState.ARN_PREFIX + "service/" + cluster.name + "/" + name, "MISSING"));
            } else {
                found.add(EcsJson.service(service));
            }
        }
        return response;
    }

    /**
     * Validates the whole request before changing anything, as ECS does. A task definition other than the
     * PRIMARY deployment's, or {@code forceNewDeployment}, starts a new deployment; the same one alone does not.
     */
    private ObjectNode updateService(JsonNode request) {
        Cluster cluster = state.cluster(text(request, "cluster"));
        Service service = cluster.services.get(EcsState.lastSegment(requiredText(request, "service")));
        if (service == null) {
            throw EcsApiException.serviceNotFound();
        }
        JsonNode desired = request.get("desiredCount");
        boolean hasDesired = desired != null && !desired.isNull();
        if (hasDesired && (!desired.canConvertToInt() || desired.asInt() < 0)) {
            throw EcsApiException.invalidParameter("desiredCount must be at least 0.");
        }
        String definitionRef = text(request, "taskDefinition");
        TaskDefinition definition = definitionRef == null ? service.taskDefinition()
                : state.taskDefinition(definitionRef).orElseThrow(() -> EcsApiException.client("TaskDefinition not found."));
        DeploymentConfiguration configuration = deploymentConfiguration(request, service.deploymentConfiguration);

        if (hasDesired && desired.asInt() != service.desiredCount) {
            int delta = desired.asInt() - service.desiredCount;
            (delta > 0 ? stats.desiredCountRaised : stats.desiredCountLowered).addAndGet(Math.abs(delta));
            service.desiredCount = desired.asInt();
        }
        service.deploymentConfiguration = configuration;
        if (!definition.equals(service.taskDefinition()) || request.path("forceNewDeployment").asBoolean(false)) {
            service.deploy(definition, Instant.now());
            stats.deploymentsStarted.incrementAndGet();
        }
        ObjectNode response = object();
        response.set("service", EcsJson.service(service));
        return response;
    }

    private static DeploymentConfiguration deploymentConfiguration(JsonNode request, DeploymentConfiguration current) {
        JsonNode node = request.get("deploymentConfiguration");
        if (node == null || node.isNull()) {
            return current;
        }
        return current.with(percent(node, "minimumHealthyPercent"), percent(node, "maximumPercent"));
    }

    private static Integer percent(JsonNode configuration, String field) {
        JsonNode value = configuration.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.canConvertToInt()) {
            throw EcsApiException.invalidParameter(field + " must be an integer.");
        }
        return value.asInt();
    }
}
