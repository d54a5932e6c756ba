package io.coscale.local.ecs;

import io.coscale.local.AwsCallLog;
import io.coscale.local.task.TaskProcess;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * The emulator's whole world: clusters, task definitions, services and tasks. Not thread-safe: every access
 * holds the {@link EcsEmulator}'s lock.
 */
final class EcsState {

    static final String REGION = "us-east-1";
    static final String ACCOUNT = "000000000000";
    static final String ARN_PREFIX = "arn:aws:ecs:" + REGION + ":" + ACCOUNT + ":";

    final Map<String, Cluster> clusters = new LinkedHashMap<>();
    final Map<String, List<TaskDefinition>> taskDefinitions = new LinkedHashMap<>();

    static final class Cluster {
        final String name;
        final String arn;
        final Map<String, Service> services = new LinkedHashMap<>();
        final Map<String, Task> tasks = new LinkedHashMap<>();

        Cluster(String name) {
            this.name = name;
            this.arn = ARN_PREFIX + "cluster/" + name;
        }

        long countTasks(String lastStatus) {
            return tasks.values().stream().filter(t -> t.lastStatus.equals(lastStatus)).count();
        }
    }

    record Container(String name, String image, Map<String, String> environment, int stopTimeoutSeconds) {
    }

    record TaskDefinition(String family, int revision, List<Container> containers, String cpu, String memory) {
        String arn() {
            return ARN_PREFIX + "task-definition/" + family + ":" + revision;
        }

        int stopTimeoutSeconds() {
            return containers.stream().mapToInt(Container::stopTimeoutSeconds).max().orElse(30);
        }
    }

    /**
     * A REPLICA service with the ECS deployment controller. {@code deployments} is never empty: newest first, the
     * first is the PRIMARY one, every other is ACTIVE (its tasks are still being replaced).
     */
    static final class Service {
        final String name;
        final String arn;
        final Cluster cluster;
        final Instant createdAt;
        final List<Deployment> deployments = new ArrayList<>();
        DeploymentConfiguration deploymentConfiguration;
        int desiredCount;

        Service(String name, Cluster cluster, TaskDefinition taskDefinition, int desiredCount,
                DeploymentConfiguration deploymentConfiguration, Instant createdAt) {
            this.name = name;
            this.arn = ARN_PREFIX + "service/" + cluster.name + "/" + name;
            this.cluster = cluster;
            this.desiredCount = desiredCount;
            this.deploymentConfiguration = deploymentConfiguration;
            this.createdAt = createdAt;
            deployments.add(new Deployment(newDeploymentId(), taskDefinition, createdAt, false));
        }

        Deployment primary() {
            return deployments.get(0);
        }

        /** The task definition the service converges to: its PRIMARY deployment's. */
        TaskDefinition taskDefinition() {
            return primary().taskDefinition;
        }

        /** Starts a new PRIMARY deployment; the current one becomes ACTIVE and its tasks will be replaced. */
        Deployment deploy(TaskDefinition taskDefinition, Instant now) {
            primary().superseded(now);
            Deployment deployment = new Deployment(newDeploymentId(), taskDefinition, now, true);
            deployments.add(0, deployment);
            return deployment;
        }

        /**
         * Forgets ACTIVE deployments none of whose tasks is left, and completes the PRIMARY one once it is alone
         * and runs {@code desiredCount} tasks.
         *
         * @return the PRIMARY deployment if it completed just now
         */
        Optional<Deployment> settleDeployments(Instant now) {
            List<Task> mine = tasks();
            deployments.removeIf(d -> !d.isPrimary()
                    && mine.stream().noneMatch(t -> t.deployment == d && !t.lastStatus.equals("STOPPED")));
            Deployment primary = primary();
            if (deployments.size() > 1 || primary.rolloutState.equals(Deployment.COMPLETED)
                    || count(primary, "RUNNING") != desiredCount) {
                return Optional.empty();
            }
            primary.completed(now);
            return Optional.of(primary);
        }

        List<Task> tasks() {
            List<Task> mine = new ArrayList<>();
            for (Task t : cluster.tasks.values()) {
                if (t.service == this) {
                    mine.add(t);
                }
            }
            return mine;
        }

        /** Tasks the scheduler counts toward desiredCount: not yet told to stop. */
        List<Task> activeTasks() {
            return tasks().stream().filter(t -> t.desiredStatus.equals("RUNNING")).toList();
        }

        long count(String lastStatus) {
            return tasks().stream().filter(t -> t.desiredStatus.equals("RUNNING") && t.lastStatus.equals(lastStatus)).count();
        }

        /** Like {@link #count(String)}, for the tasks one deployment started. */
        long count(Deployment deployment, String lastStatus) {
            return tasks().stream().filter(t -> t.deployment == deployment && t.desiredStatus.equals("RUNNING")
                    && t.lastStatus.equals(lastStatus)).count();
        }

        private static String newDeploymentId() {
            return "ecs-svc/" + Long.toUnsignedString(UUID.randomUUID().getMostSignificantBits() >>> 1);
        }
    }

    static final class Task {
        final String id;
        final String arn;
        final Cluster cluster;
        final Service service;
        /** The deployment that started this task, whose task definition it runs. */
        final Deployment deployment;
        final TaskDefinition taskDefinition;
        final String availabilityZone;
        final Instant createdAt;
        String lastStatus = "PENDING";
        String desiredStatus = "RUNNING";
        Instant startedAt;
        Instant stoppingAt;
        Instant stoppedAt;
        Instant killAt;
        String stoppedReason;
        String stopCode;
        /** The essential container's reason (e.g. {@code OutOfMemoryError: …}); null when ECS gives none. */
        String containerReason;
        StopCause stopCause;
        Integer exitCode;
        Instant protectedUntil;
        TaskProcess process;
        /** Set when the workload exited by itself; ECS learns of it {@code exitReportDelay} later. */
        Integer exitedWith;
        Instant exitedAt;
        /** Received SQS messages the workload holds now (see {@link io.coscale.local.task.JobTracker}). */
        int messagesHeld;
        /** Whether the task held a message when it was told to stop: decided at the stop signal, not at the kill. */
        boolean busyAtStopSignal;
        /** Resource tags (TagResource): kept as long as the task is. */
        final Map<String, String> tags = new LinkedHashMap<>();

        Task(String id, Cluster cluster, Service service, Deployment deployment, String availabilityZone,
                Instant createdAt) {
            this.id = id;
            this.arn = ARN_PREFIX + "task/" + cluster.name + "/" + id;
            this.cluster = cluster;
            this.service = service;
            this.deployment = deployment;
            this.taskDefinition = deployment.taskDefinition;
            this.availabilityZone = availabilityZone;
            this.createdAt = createdAt;
        }

        boolean isProtected(Instant now) {
            return protectedUntil != null && protectedUntil.isAfter(now);
        }

        String group() {
            return service == null ? "family:" + taskDefinition.family() : "service:" + service.name;
        }

        /** The task's environment: {@code common}, then its task definition's own, then what ECS gives every task. */
        Map<String, String> environment(String endpoint, Map<String, String> common) {
            Map<String, String> env = new LinkedHashMap<>(common);
            taskDefinition.containers().get(0).environment().forEach(env::put);
            env.put("ECS_CONTAINER_METADATA_URI_V4", endpoint + "/v4/" + id);
            env.put("AWS_REGION", REGION);
            env.put("AWS_DEFAULT_REGION", REGION);
            // The workers' own key, as a worker task role's credentials differ from coscale's.
            env.putIfAbsent("AWS_ACCESS_KEY_ID", AwsCallLog.WORKER_KEY);
            env.putIfAbsent("AWS_SECRET_ACCESS_KEY", AwsCallLog.WORKER_KEY);
            return env;
        }
    }

    /** A cluster named by its short name or ARN; {@code default} when none is named, as ECS does. */
    Cluster cluster(String nameOrArn) {
        String name = nameOrArn == null || nameOrArn.isBlank() ? "default" : lastSegment(nameOrArn);
        Cluster cluster = clusters.get(name);
        if (cluster == null) {
            throw EcsApiException.clusterNotFound();
        }
        return cluster;
    }

    Optional<TaskDefinition> taskDefinition(String ref) {
        int slash = ref.indexOf("task-definition/");
        if (ref.startsWith("arn:") && slash < 0) {
            return Optional.empty();
        }
        String familyRev = ref.startsWith("arn:") ? ref.substring(slash + 16) : ref;
        int colon = familyRev.lastIndexOf(':');
        String family = colon < 0 ? familyRev : familyRev.substring(0, colon);
        List<TaskDefinition> revisions = taskDefinitions.getOrDefault(family, List.of());
        if (revisions.isEmpty()) {
            return Optional.empty();
        }
        if (colon < 0) {
            return Optional.of(revisions.get(revisions.size() - 1));
        }
        int revision;
        try {
            revision = Integer.parseInt(familyRev.substring(colon + 1));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
        return revisions.stream().filter(d -> d.revision() == revision).findFirst();
    }

    /** The part after the last slash of an ARN, or the name itself. */
    static String lastSegment(String nameOrArn) {
        return nameOrArn.substring(nameOrArn.lastIndexOf('/') + 1);
    }
}
