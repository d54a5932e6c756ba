package io.coscale.aws;

import java.time.Instant;
import java.util.Optional;

/**
 * An ECS task as DescribeTasks reports it; {@code missing} when ECS does not know the task.
 * {@code startedBy} is, for a task a service started, the id of the deployment that started it: it tells a task of an
 * older deployment from one of the service's PRIMARY one;
 * {@code exitRecord} is the value of its {@value EcsGateway#EXIT_TAG} tag, null when it has none: the count an
 * exit of this task set, recorded on the task before the count was lowered. Once ECS has told the task to stop,
 * {@code stopCode} and {@code stoppedReason} say why (the essential container's reason appended, e.g. {@code
 * OutOfMemoryError: …}) and {@code stoppedAt} when (null while it is still stopping); all null before.
 */
public record TaskState(String taskArn, String clusterArn, String group, String lastStatus, String desiredStatus,
        String startedBy, String exitRecord, String stopCode, String stoppedReason, Instant stoppedAt,
        Instant stoppingAt, boolean missing) {

    static TaskState missing(String taskArn) {
        return new TaskState(taskArn, null, null, "MISSING", "STOPPED", null, null, null, null, null, null, true);
    }

    /** A task that is, or is about to be, working: PENDING or RUNNING and not told to stop. */
    public boolean isLive() {
        return !missing && "RUNNING".equals(desiredStatus)
                && ("PENDING".equals(lastStatus) || "RUNNING".equals(lastStatus)
                        || "PROVISIONING".equals(lastStatus) || "ACTIVATING".equals(lastStatus));
    }

    /** The service that started the task, from its group {@code service:<name>}. */
    public Optional<String> serviceName() {
        return group != null && group.startsWith("service:") ? Optional.of(group.substring(8)) : Optional.empty();
    }
}
