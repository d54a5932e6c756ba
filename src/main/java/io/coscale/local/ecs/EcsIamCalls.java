package io.coscale.local.ecs;

import com.fasterxml.jackson.databind.JsonNode;
import io.coscale.local.AwsCallLog.Call;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What IAM authorizes for an ECS API request: one {@link Call} per resource the request names, with the
 * {@code ecs:cluster} condition key (the cluster's ARN) wherever the request names a cluster, and {@code aws:TagKeys}
 * for TagResource. As the Service Authorization Reference lists them: UpdateService and DescribeServices on the service;
 * DescribeTasks, UpdateTaskProtection and GetTaskProtection on each task; ListTasks on no resource ({@code *}: its
 * resource type is the container instance, which Fargate tasks do not have); TagResource on the resource tagged.
 * Actions coscale never calls are recorded on {@code *} with the cluster they name.
 */
final class EcsIamCalls {

    private EcsIamCalls() {
    }

    static List<Call> of(String accessKey, String action, JsonNode request) {
        String iamAction = "ecs:" + action;
        String cluster = clusterName(request.path("cluster").asText("default"));
        Map<String, List<String>> clusterKey = Map.of("ecs:cluster", List.of(EcsState.ARN_PREFIX + "cluster/" + cluster));
        List<Call> calls = new ArrayList<>();
        switch (action) {
            case "UpdateService" -> calls.add(new Call(accessKey, iamAction,
                    serviceArn(cluster, request.path("service").asText()), clusterKey));
            case "DescribeServices" -> request.path("services").forEach(s ->
                    calls.add(new Call(accessKey, iamAction, serviceArn(cluster, s.asText()), clusterKey)));
            case "DescribeTasks", "UpdateTaskProtection", "GetTaskProtection" -> request.path("tasks").forEach(t ->
                    calls.add(new Call(accessKey, iamAction, taskArn(cluster, t.asText()), clusterKey)));
            case "TagResource" -> {
                String arn = request.path("resourceArn").asText();
                List<String> keys = new ArrayList<>();
                request.path("tags").forEach(tag -> keys.add(tag.path("key").asText()));
                calls.add(new Call(accessKey, iamAction, arn, Map.of("ecs:cluster",
                        List.of(EcsState.ARN_PREFIX + "cluster/" + clusterOfArn(arn)), "aws:TagKeys", keys)));
            }
            default -> calls.add(new Call(accessKey, iamAction, "*",
                    request.has("cluster") ? clusterKey : Map.of()));
        }
        return calls;
    }

    /** A cluster named by name or ARN, as its name. */
    static String clusterName(String nameOrArn) {
        return nameOrArn.substring(nameOrArn.lastIndexOf('/') + 1);
    }

    private static String serviceArn(String cluster, String nameOrArn) {
        return nameOrArn.startsWith("arn:") ? nameOrArn
                : EcsState.ARN_PREFIX + "service/" + cluster + "/" + nameOrArn;
    }

    private static String taskArn(String cluster, String idOrArn) {
        return idOrArn.startsWith("arn:") ? idOrArn : EcsState.ARN_PREFIX + "task/" + cluster + "/" + idOrArn;
    }

    /** The cluster of a long-format ARN ({@code ...:task/CLUSTER/ID}, {@code ...:service/CLUSTER/NAME}). */
    private static String clusterOfArn(String arn) {
        String[] parts = arn.substring(arn.lastIndexOf(':') + 1).split("/");
        return parts[0].equals("cluster") ? parts[parts.length - 1] : parts.length > 2 ? parts[1] : "";
    }
}
