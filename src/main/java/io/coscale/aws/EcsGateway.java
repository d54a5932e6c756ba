package io.coscale.aws;

import jakarta.inject.Singleton;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.ecs.model.Container;
import software.amazon.awssdk.services.ecs.model.Deployment;
import software.amazon.awssdk.services.ecs.model.DescribeServicesResponse;
import software.amazon.awssdk.services.ecs.model.DescribeTasksResponse;
import software.amazon.awssdk.services.ecs.model.DesiredStatus;
import software.amazon.awssdk.services.ecs.model.GetTaskProtectionResponse;
import software.amazon.awssdk.services.ecs.model.ListTasksResponse;
import software.amazon.awssdk.services.ecs.model.Tag;
import software.amazon.awssdk.services.ecs.model.Task;
import software.amazon.awssdk.services.ecs.model.TaskField;
import software.amazon.awssdk.services.ecs.model.UpdateTaskProtectionResponse;

/**
 * Everything coscale asks of ECS, in ECS's batch sizes (DescribeServices 10, DescribeTasks 100,
 * UpdateTaskProtection 10). SDK types stay in here; every failure surfaces as {@link AwsCallException}.
 * One attempt per call: retries and the API budget belong to the caller.
 */
@Singleton
public class EcsGateway {

    static final int DESCRIBE_SERVICES_BATCH = 10;
    public static final int DESCRIBE_TASKS_BATCH = 100;
    public static final int PROTECTION_BATCH = 10;
    /** ListTasks's page when no maxResults is given. */
    static final int LIST_TASKS_PAGE = 100;
    /** The tag that records an exit on its task; its value is the count the exit set. */
    public static final String EXIT_TAG = "coscale:exit";

    private final EcsClient ecs;

    public EcsGateway(EcsClient ecs) {
        this.ecs = ecs;
    }

    /** The given services of one cluster, 10 per DescribeServices call; a missing service is absent from the result. */
    public List<ServiceState> describeServices(String cluster, List<String> services) {
        List<ServiceState> found = new ArrayList<>();
        for (List<String> batch : chunks(services, DESCRIBE_SERVICES_BATCH)) {
            DescribeServicesResponse response = AwsCallException.call("DescribeServices",
                    () -> ecs.describeServices(b -> b.cluster(cluster).services(batch)));
            response.services().forEach(s -> found.add(new ServiceState(cluster, s.serviceName(),
                    nullToZero(s.desiredCount()), nullToZero(s.runningCount()), nullToZero(s.pendingCount()),
                    "ACTIVE".equals(s.status()), primaryDeployment(s.deployments()))));
        }
        return found;
    }

    /** The id of the PRIMARY one of a service's deployments; null when there is none (not the ECS deployment controller). */
    static String primaryDeployment(List<Deployment> deployments) {
        return deployments == null ? null : deployments.stream().filter(d -> "PRIMARY".equals(d.status()))
                .map(Deployment::id).findFirst().orElse(null);
    }

    /** Sets a service's desiredCount (one UpdateService call). */
    public void setDesiredCount(String cluster, String service, int desiredCount) {
        AwsCallException.call("UpdateService", () -> ecs.updateService(b -> b.cluster(cluster).service(service).desiredCount(desiredCount)));
    }

    /**
     * Records on the task that coscale told it to exit and set the count to {@code desiredCount} (a tag, which ECS
     * keeps as long as the task): a restarted or other coscale replays that exit instead of lowering the count again.
     */
    public void recordExit(String taskArn, int desiredCount) {
        AwsCallException.call("TagResource", () -> ecs.tagResource(b -> b.resourceArn(taskArn)
                .tags(Tag.builder().key(EXIT_TAG).value(Integer.toString(desiredCount)).build())));
    }

    private static String exitRecord(List<Tag> tags) {
        return tags == null ? null : tags.stream().filter(t -> EXIT_TAG.equals(t.key())).map(Tag::value).findFirst()
                .orElse(null);
    }

    /**
     * Why ECS stopped a task, in one line: its stoppedReason, and the essential container's reason when there is one
     * (an out-of-memory kill says so only there). Null when ECS gave neither.
     */
    static String stoppedReason(Task task) {
        String containerReason = task.containers() == null ? null : task.containers().stream()
                .map(Container::reason).filter(r -> r != null && !r.isBlank()).findFirst().orElse(null);
        if (containerReason == null) {
            return task.stoppedReason();
        }
        return task.stoppedReason() == null ? containerReason : task.stoppedReason() + " (" + containerReason + ")";
    }

    /** The DescribeTasks calls {@link #describeTasks} makes for {@code tasks} tasks. */
    public static int describeTasksCalls(int tasks) {
        return (tasks + DESCRIBE_TASKS_BATCH - 1) / DESCRIBE_TASKS_BATCH;
    }

    /** The ListTasks calls (pages) {@link #listTasks} makes to find {@code tasks} tasks: at least one. */
    public static int listTasksCalls(int tasks) {
        return Math.max(1, (tasks + LIST_TASKS_PAGE - 1) / LIST_TASKS_PAGE);
    }

    /** The given tasks of one cluster, 100 per DescribeTasks call; every asked ARN has an entry. */
    public Map<String, TaskState> describeTasks(String cluster, Collection<String> taskArns) {
        Map<String, TaskState> found = new HashMap<>();
        for (List<String> batch : chunks(List.copyOf(taskArns), DESCRIBE_TASKS_BATCH)) {
            DescribeTasksResponse response = AwsCallException.call("DescribeTasks",
                    () -> ecs.describeTasks(b -> b.cluster(cluster).tasks(batch).include(TaskField.TAGS)));
            response.tasks().forEach(t -> found.put(t.taskArn(), new TaskState(t.taskArn(), t.clusterArn(), t.group(),
                    t.lastStatus(), t.desiredStatus(), t.startedBy(), exitRecord(t.tags()), t.stopCodeAsString(),
                    stoppedReason(t), t.stoppedAt(), t.stoppingAt(), false)));
        }
        taskArns.forEach(arn -> found.putIfAbsent(arn, TaskState.missing(arn)));
        return found;
    }

    /**
     * Turns scale-in protection on (for {@code minutes}) or off for tasks of one cluster, 10 per call.
     *
     * @return per task ARN, what ECS did: applied (the expiry when on) or refused (its reason)
     */
    public TaskProtections setProtection(String cluster, List<String> taskArns, boolean enabled, int minutes) {
        Map<String, Optional<Instant>> result = new HashMap<>();
        Map<String, String> refused = new HashMap<>();
        for (List<String> batch : chunks(taskArns, PROTECTION_BATCH)) {
            UpdateTaskProtectionResponse response = AwsCallException.call("UpdateTaskProtection", () -> ecs.updateTaskProtection(b -> {
                b.cluster(cluster).tasks(batch).protectionEnabled(enabled);
                if (enabled) {
                    b.expiresInMinutes(minutes);
                }
            }));
            response.protectedTasks().forEach(p -> result.put(p.taskArn(),
                    Boolean.TRUE.equals(p.protectionEnabled()) ? Optional.ofNullable(p.expirationDate()) : Optional.empty()));
            response.failures().stream().filter(f -> f.arn() != null)
                    .forEach(f -> refused.put(f.arn(), f.reason() == null ? "no reason given" : f.reason()));
        }
        return new TaskProtections(result, refused);
    }

    /** One page of ListTasks: up to 100 task ARNs, and the token of the next page (null after the last). */
    public record TaskPage(List<String> taskArns, String nextToken) {
    }

    /**
     * One page (one ListTasks call, up to 100) of the tasks ECS has not been told to stop: of one service, or of the
     * whole cluster when {@code service} is null.
     *
     * @param nextToken the previous page's token; null for the first page
     */
    public TaskPage listTasks(String cluster, String service, String nextToken) {
        ListTasksResponse response = AwsCallException.call("ListTasks", () -> ecs.listTasks(b -> b.cluster(cluster)
                .serviceName(service).desiredStatus(DesiredStatus.RUNNING).nextToken(nextToken)));
        return new TaskPage(List.copyOf(response.taskArns()), response.nextToken());
    }

    /** The protection of tasks of one cluster, 10 per GetTaskProtection call: the expiry of each protected one. */
    public Map<String, Instant> protectedUntil(String cluster, List<String> taskArns) {
        Map<String, Instant> result = new HashMap<>();
        for (List<String> batch : chunks(taskArns, PROTECTION_BATCH)) {
            GetTaskProtectionResponse response = AwsCallException.call("GetTaskProtection",
                    () -> ecs.getTaskProtection(b -> b.cluster(cluster).tasks(batch)));
            response.protectedTasks().stream()
                    .filter(p -> Boolean.TRUE.equals(p.protectionEnabled()) && p.expirationDate() != null)
                    .forEach(p -> result.put(p.taskArn(), p.expirationDate()));
        }
        return result;
    }

    static <T> List<List<T>> chunks(List<T> items, int size) {
        List<List<T>> chunks = new ArrayList<>();
        for (int i = 0; i < items.size(); i += size) {
            chunks.add(items.subList(i, Math.min(items.size(), i + size)));
        }
        return chunks;
    }

    private static int nullToZero(Integer n) {
        return n == null ? 0 : n;
    }
}
