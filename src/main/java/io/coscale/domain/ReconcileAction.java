package io.coscale.domain;

import java.util.Objects;
import java.util.OptionalInt;

/**
 * What one reconcile pass wants done to a pool's {@code desiredCount}: nothing, or set it to a value.
 * Built only through {@link #noChange()} and {@link #setDesired(int, String)}; the reconciler acts on it.
 *
 * @param desiredCount the count to set, or empty to leave the service alone
 * @param reason a short human sentence saying why, for the event log ("converged" when nothing changes)
 */
public record ReconcileAction(OptionalInt desiredCount, String reason) {

    private static final ReconcileAction NO_CHANGE = new ReconcileAction(OptionalInt.empty(), "converged");

    /** @throws IllegalArgumentException if the count is negative or the reason blank */
    public ReconcileAction {
        Objects.requireNonNull(desiredCount, "desiredCount");
        if (desiredCount.isPresent() && desiredCount.getAsInt() < 0) {
            throw new IllegalArgumentException("desiredCount must be >= 0, got " + desiredCount.getAsInt());
        }
        if (reason == null || reason.isBlank()) {
            throw new IllegalArgumentException("a reconcile action needs a reason");
        }
    }

    /** The service is where it should be: make no call. */
    public static ReconcileAction noChange() {
        return NO_CHANGE;
    }

    /** Set {@code desiredCount} to {@code n}, for {@code reason}. */
    public static ReconcileAction setDesired(int n, String reason) {
        return new ReconcileAction(OptionalInt.of(n), reason);
    }

    /** True if this action calls for an {@code UpdateService}. */
    public boolean changes() {
        return desiredCount.isPresent();
    }

    /** The count after this action is applied to a service whose count is {@code current}. */
    public int applyTo(int current) {
        return desiredCount.orElse(current);
    }
}
