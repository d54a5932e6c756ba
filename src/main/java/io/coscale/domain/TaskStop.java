package io.coscale.domain;

import java.time.Instant;
import java.util.Objects;

/**
 * A task of a pool that stopped without coscale letting it exit: a Spot interruption, a host retirement, an
 * out-of-memory kill, a crash, an operator's StopTask. Told apart from a task coscale let exit by the exit record
 * coscale writes on a task before it lowers the count for it.
 *
 * @param taskArn the task
 * @param stopCode ECS's {@code stopCode} ({@code SpotInterruption}, {@code TerminationNotice},
 *        {@code EssentialContainerExited}, …), {@value #UNKNOWN} when ECS gave none
 * @param reason ECS's {@code stoppedReason}, with the container's reason when it has one (e.g. {@code
 *        OutOfMemoryError: …}); empty when ECS gave none
 * @param stoppedAt when ECS stopped it, or told it to stop while it is still stopping
 */
public record TaskStop(String taskArn, String stopCode, String reason, Instant stoppedAt) {

    /** The stop code of a stop ECS gave no code for. */
    public static final String UNKNOWN = "Unknown";

    public TaskStop {
        Objects.requireNonNull(taskArn, "taskArn");
        Objects.requireNonNull(stoppedAt, "stoppedAt");
        stopCode = stopCode == null || stopCode.isBlank() ? UNKNOWN : stopCode;
        reason = reason == null ? "" : reason;
    }
}
