package io.coscale.aws;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * What UpdateTaskProtection did for each task of a call: applied (the protection's expiry when on, empty when off),
 * or refused, with ECS's reason ({@code TASK_NOT_VALID}: the task is not running; {@code MISSING}: ECS does not know
 * it, which may be a read that has not caught up). A task in neither map got no answer.
 */
public record TaskProtections(Map<String, Optional<Instant>> applied, Map<String, String> refused) {

    /** ECS's reason for a task that is stopping or stopped: it will not be protected, now or later. */
    public static final String TASK_NOT_VALID = "TASK_NOT_VALID";
    /**
     * ECS's reason for a task it does not find (ECS's API failure reasons: "the specified task could not be found"):
     * stopped and gone, or started so lately that the call has not caught up with it.
     */
    public static final String MISSING = "MISSING";

    public TaskProtections {
        applied = Map.copyOf(applied);
        refused = Map.copyOf(refused);
    }
}
