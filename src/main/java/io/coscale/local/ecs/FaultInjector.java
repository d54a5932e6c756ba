package io.coscale.local.ecs;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Faults the emulator injects, as settings and the REST control set them. Thread-safe; {@link #clear()} resets
 * everything. Per action (or {@link #ALL}), a {@link Fault} adds:
 * <ul>
 * <li>before the action runs: latency, then at {@code errorRate} an error of {@code errorType}
 *     ({@code ServerException} → HTTP 500, anything else → 400); nothing changes;</li>
 * <li>after the action ran and changed the world: at {@code afterApplyErrorRate} ECS's 500
 *     {@code ServerException}, else at {@code afterApplyDropRate} a connection closed with no answer. These hit
 *     every action alike, reads included (a read "applied" changes nothing, so for it they are plain errors).</li>
 * </ul>
 * World-wide: {@link #staleReads(Duration)} makes DescribeServices/DescribeTasks eventually consistent (see
 * {@link StaleReads}), and {@link #taskDeathsPerMinute(double)} kills RUNNING service tasks (see {@link TaskDeaths}).
 */
public final class FaultInjector {

    /** Every action. */
    public static final String ALL = "*";

    /**
     * One action's fault; every rate is in [0, 1].
     *
     * @param latency added before the action runs
     * @param errorRate share of calls answered with {@code errorType} before the action runs
     * @param errorType ECS error code, {@code ServerException} when blank
     * @param afterApplyErrorRate share of calls answered with a 500 after the action changed the world
     * @param afterApplyDropRate share of calls whose connection is closed unanswered after the action ran
     */
    public record Fault(Duration latency, double errorRate, String errorType,
            double afterApplyErrorRate, double afterApplyDropRate) {

        public Fault {
            rate("errorRate", errorRate);
            rate("afterApplyErrorRate", afterApplyErrorRate);
            rate("afterApplyDropRate", afterApplyDropRate);
            if (latency == null || latency.isNegative()) {
                throw new IllegalArgumentException("latency must not be negative, got " + latency);
            }
            errorType = errorType == null || errorType.isBlank() ? "ServerException" : errorType;
        }

        /** A fault that only fails before the action runs. */
        public Fault(Duration latency, double errorRate, String errorType) {
            this(latency, errorRate, errorType, 0, 0);
        }

        private static void rate(String name, double value) {
            if (!(value >= 0 && value <= 1)) {
                throw new IllegalArgumentException(name + " must be within [0, 1], got " + value);
            }
        }
    }

    /** What happens to a call whose action has run. */
    enum AfterApply { ANSWER, ERROR, DROP }

    private final Map<String, Fault> faults = new ConcurrentHashMap<>();
    private volatile Duration staleReads = Duration.ZERO;
    private volatile double taskDeathsPerMinute;

    /**
     * Sets the fault of one action, or of every action with {@link #ALL}; both apply when both are set.
     *
     * @param action an ECS action name such as {@code UpdateService}, or {@link #ALL}
     * @param fault the fault, replacing any set before for that key
     */
    public void set(String action, Fault fault) {
        if (action == null || action.isBlank() || fault == null) {
            throw new IllegalArgumentException("action and fault must be given");
        }
        faults.put(action, fault);
    }

    /** Removes every fault: per-action faults, stale reads and task deaths. */
    public void clear() {
        faults.clear();
        staleReads = Duration.ZERO;
        taskDeathsPerMinute = 0;
    }

    /** The faults set now, by action (or {@link #ALL}); a copy. */
    public Map<String, Fault> faults() {
        return Map.copyOf(faults);
    }

    /**
     * Makes DescribeServices and DescribeTasks answer each service or task as it was up to {@code upTo} ago;
     * {@link Duration#ZERO} makes them consistent again.
     */
    public void staleReads(Duration upTo) {
        if (upTo == null || upTo.isNegative()) {
            throw new IllegalArgumentException("staleReads must not be negative, got " + upTo);
        }
        staleReads = upTo;
    }

    /** How stale a DescribeServices or DescribeTasks answer may be; {@link Duration#ZERO}: always fresh. */
    public Duration staleReads() {
        return staleReads;
    }

    /** Sets how many RUNNING service tasks die per minute in each cluster, on average; 0 turns deaths off. */
    public void taskDeathsPerMinute(double rate) {
        if (!(rate >= 0) || Double.isInfinite(rate)) {
            throw new IllegalArgumentException("taskDeathsPerMinute must be a finite rate >= 0, got " + rate);
        }
        taskDeathsPerMinute = rate;
    }

    /** Average task deaths per minute per cluster; 0: tasks never die of injected causes. */
    public double taskDeathsPerMinute() {
        return taskDeathsPerMinute;
    }

    /**
     * Sleeps for the action's latency, then throws the action's before-apply error at its rate. Call with no
     * lock held.
     */
    void beforeApply(String action) throws InterruptedException {
        for (Fault fault : faultsOf(action)) {
            if (fault == null) {
                continue;
            }
            if (!fault.latency().isZero()) {
                Thread.sleep(fault.latency().toMillis());
            }
            if (hit(fault.errorRate())) {
                int status = fault.errorType().equals("ServerException") ? 500 : 400;
                throw new EcsApiException(fault.errorType(), status, "injected fault on " + action);
            }
        }
    }

    /** Draws what the caller of an action that has run gets: its answer, a 500, or a dropped connection. */
    AfterApply afterApply(String action) {
        for (Fault fault : faultsOf(action)) {
            if (fault == null) {
                continue;
            }
            if (hit(fault.afterApplyErrorRate())) {
                return AfterApply.ERROR;
            }
            if (hit(fault.afterApplyDropRate())) {
                return AfterApply.DROP;
            }
        }
        return AfterApply.ANSWER;
    }

    private Fault[] faultsOf(String action) {
        return new Fault[] {faults.get(ALL), faults.get(action)};
    }

    private static boolean hit(double rate) {
        return rate > 0 && ThreadLocalRandom.current().nextDouble() < rate;
    }
}
