package io.coscale.local.ecs;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Faults the emulator injects into its API, per action (or {@code "*"} for every action): added latency,
 * and a rate of failures answered as the given ECS error type ({@code ServerException} → HTTP 500,
 * anything else → 400). Thread-safe; tests and the chaos benchmark set it, {@link #clear()} resets it.
 */
public final class FaultInjector {

    /** Every action. */
    public static final String ALL = "*";

    /** One action's fault: {@code errorRate} in [0, 1]. */
    public record Fault(Duration latency, double errorRate, String errorType) {

        public Fault {
            if (errorRate < 0 || errorRate > 1) {
                throw new IllegalArgumentException("errorRate must be within [0, 1], got " + errorRate);
            }
            if (latency.isNegative()) {
                throw new IllegalArgumentException("latency must not be negative, got " + latency);
            }
            errorType = errorType == null || errorType.isBlank() ? "ServerException" : errorType;
        }
    }

    private final Map<String, Fault> faults = new ConcurrentHashMap<>();

    public void set(String action, Fault fault) {
        faults.put(action, fault);
    }

    public void clear() {
        faults.clear();
    }

    /** Sleeps for the action's latency, then throws the action's error at its rate. Call with no lock held. */
    void apply(String action) throws InterruptedException {
        for (Fault fault : new Fault[] {faults.get(ALL), faults.get(action)}) {
            if (fault == null) {
                continue;
            }
            if (!fault.latency().isZero()) {
                Thread.sleep(fault.latency().toMillis());
            }
            if (fault.errorRate() > 0 && ThreadLocalRandom.current().nextDouble() < fault.errorRate()) {
                int status = fault.errorType().equals("ServerException") ? 500 : 400;
                throw new EcsApiException(fault.errorType(), status, "injected fault on " + action);
            }
        }
    }
}
