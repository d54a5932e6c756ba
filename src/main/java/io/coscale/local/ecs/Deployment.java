package io.coscale.local.ecs;

import io.coscale.local.ecs.EcsState.TaskDefinition;
import java.time.Instant;

/**
 * One deployment of a service, as ECS shows it: the PRIMARY one is what the service converges to; an ACTIVE one
 * is an older deployment whose tasks are being replaced, and it disappears once none of its tasks is left (not
 * STOPPED). A PRIMARY deployment is IN_PROGRESS until it is alone and runs desiredCount tasks, then COMPLETED for
 * good. Each task keeps the deployment that started it. Guarded by the emulator's lock.
 */
final class Deployment {

    static final String PRIMARY = "PRIMARY";
    static final String ACTIVE = "ACTIVE";
    static final String IN_PROGRESS = "IN_PROGRESS";
    static final String COMPLETED = "COMPLETED";

    final String id;
    final TaskDefinition taskDefinition;
    final Instant createdAt;
    /**
     * Started by UpdateService (a new task definition or forceNewDeployment), not by CreateService: only these
     * are counted in {@code deploymentsStarted} and {@code deploymentsCompleted}.
     */
    final boolean rollout;
    Instant updatedAt;
    String status = PRIMARY;
    String rolloutState = IN_PROGRESS;

    Deployment(String id, TaskDefinition taskDefinition, Instant createdAt, boolean rollout) {
        this.id = id;
        this.taskDefinition = taskDefinition;
        this.createdAt = createdAt;
        this.updatedAt = createdAt;
        this.rollout = rollout;
    }

    boolean isPrimary() {
        return status.equals(PRIMARY);
    }

    void superseded(Instant now) {
        status = ACTIVE;
        updatedAt = now;
    }

    void completed(Instant now) {
        rolloutState = COMPLETED;
        updatedAt = now;
    }
}
