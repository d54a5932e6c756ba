package io.coscale.local.ecs;

import java.util.Arrays;
import java.util.Locale;

/**
 * A task stopped for a reason of ECS's own, not by its service's scale-in, its deployment or its own exit, shown
 * the way ECS shows it ({@code stopCode}, {@code stoppedReason}, and the container's reason and exit code):
 * <ul>
 * <li>{@link #SPOT_INTERRUPTION}: Fargate Spot reclaims the capacity. The task gets its stop signal (SIGTERM) at
 *     once and is killed after its {@code stopTimeout} (at most 120 s on Fargate, inside the 2-minute notice);</li>
 * <li>{@link #TERMINATION_NOTICE}: the task's host is retired (Fargate task retirement, EC2 instance retirement):
 *     the same stop signal, then the kill after {@code stopTimeout};</li>
 * <li>{@link #OUT_OF_MEMORY}: the kernel kills the essential container: no signal, exit code 137, stopCode
 *     {@code EssentialContainerExited}, the container's reason {@code OutOfMemoryError: …}.</li>
 * </ul>
 * In every case the service scheduler starts a replacement as soon as the task is told to stop. Scale-in protection
 * does not hold any of these off: it only keeps a task out of a scale-in.
 */
public enum Interruption {
    SPOT_INTERRUPTION("SpotInterruption", "Your Spot Task was interrupted.", null, true),
    TERMINATION_NOTICE("TerminationNotice", "Task stopped because the underlying infrastructure is being retired "
            + "(task retirement).", null, true),
    OUT_OF_MEMORY("EssentialContainerExited", "Essential container in task exited",
            "OutOfMemoryError: Container killed due to memory usage", false);

    private final String stopCode;
    private final String stoppedReason;
    private final String containerReason;
    private final boolean graceful;

    Interruption(String stopCode, String stoppedReason, String containerReason, boolean graceful) {
        this.stopCode = stopCode;
        this.stoppedReason = stoppedReason;
        this.containerReason = containerReason;
        this.graceful = graceful;
    }

    /** The task's {@code stopCode}, as ECS sets it. */
    public String stopCode() {
        return stopCode;
    }

    /** The task's {@code stoppedReason}, as ECS words it. */
    public String stoppedReason() {
        return stoppedReason;
    }

    /** The essential container's {@code reason}; null when ECS gives none. */
    public String containerReason() {
        return containerReason;
    }

    /** Whether the workload gets its stop signal and {@code stopTimeout} before the kill (false: killed at once). */
    public boolean graceful() {
        return graceful;
    }

    /** The wire name: {@code SpotInterruption}, {@code TerminationNotice} or {@code OutOfMemory}. */
    public String wireName() {
        return this == OUT_OF_MEMORY ? "OutOfMemory" : stopCode;
    }

    /**
     * The interruption of a wire name (case-insensitive).
     *
     * @throws IllegalArgumentException naming the accepted values, for anything else
     */
    public static Interruption of(String wireName) {
        return Arrays.stream(values())
                .filter(i -> wireName != null && i.wireName().toLowerCase(Locale.ROOT).equals(wireName.toLowerCase(Locale.ROOT)))
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException("kind must be one of SpotInterruption, "
                        + "TerminationNotice, OutOfMemory; got " + wireName));
    }
}
