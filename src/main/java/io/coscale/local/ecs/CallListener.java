package io.coscale.local.ecs;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Told of every ECS API call the emulator receives, before throttling and faults, so that a benchmark can
 * time "submission to UpdateService received by ECS" and count calls per action without the emulator's locks.
 */
@FunctionalInterface
public interface CallListener {

    /**
     * Called on the emulator's HTTP thread for each API call, throttled or not.
     *
     * @param action the ECS action, e.g. {@code UpdateService}
     * @param request the request body as received (do not modify)
     * @param receivedNanos {@link System#nanoTime()} when the emulator took the call
     */
    void received(String action, JsonNode request, long receivedNanos);

    /**
     * Called on the same thread once the call is over (answered, refused or failed), after any injected latency:
     * with {@link #received} it tells how many calls were in flight at once.
     *
     * @param action the ECS action, as given to {@link #received}
     */
    default void answered(String action) {
    }
}
