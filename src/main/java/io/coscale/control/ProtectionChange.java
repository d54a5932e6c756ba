package io.coscale.control;

/** Scale-in protection to turn on (for {@code minutes}) or off for one task; batched per cluster. */
public record ProtectionChange(String taskArn, boolean enabled, int minutes) {

    /** Whether two changes can share one UpdateTaskProtection call. */
    static boolean sameCall(ProtectionChange a, ProtectionChange b) {
        return a.enabled == b.enabled && a.minutes == b.minutes;
    }
}
