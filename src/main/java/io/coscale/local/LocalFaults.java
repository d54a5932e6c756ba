package io.coscale.local;

import io.coscale.config.LocalConfig;
import io.coscale.local.ecs.EcsEmulator;
import io.coscale.local.ecs.FaultInjector;
import io.coscale.local.sqs.SqsFaultProxy;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Every fault the local cloud injects, as one value: what {@code GET /local/v1/faults} shows and
 * {@code PUT /local/v1/faults} sets (replacing all of them), and what the {@code coscale.local.faults.*} settings
 * give at start-up. Building one validates it (rates in [0, 1], durations not negative), so a bad request changes
 * nothing.
 *
 * @param ecs ECS faults by action, or {@code "*"} for every action
 * @param ecsStaleReadsMs how stale DescribeServices and DescribeTasks answers may be after a change; 0 = consistent
 * @param taskDeathsPerMinute injected task deaths per minute per cluster
 * @param sqs SQS faults, injected by the proxy in front of ElasticMQ; null or all zero without the proxy
 */
public record LocalFaults(Map<String, EcsFault> ecs, long ecsStaleReadsMs, double taskDeathsPerMinute, SqsFaults sqs) {

    /** One ECS action's faults: before the action runs (latency, errors) and after it ran (a 500, a dropped connection). */
    public record EcsFault(long latencyMs, double errorRate, String errorType, double afterApplyErrorRate,
            double afterApplyDropRate) {

        FaultInjector.Fault toFault() {
            return new FaultInjector.Fault(Duration.ofMillis(latencyMs), errorRate, errorType, afterApplyErrorRate,
                    afterApplyDropRate);
        }

        static EcsFault of(FaultInjector.Fault f) {
            return new EcsFault(f.latency().toMillis(), f.errorRate(), f.errorType(), f.afterApplyErrorRate(),
                    f.afterApplyDropRate());
        }
    }

    /** SQS faults: latency, 500s that never reach SQS, and connections dropped after SQS handled the call. */
    public record SqsFaults(long latencyMs, double errorRate, double resetRate) {

        static final SqsFaults NONE = new SqsFaults(0, 0, 0);

        SqsFaultProxy.Faults toFaults() {
            return new SqsFaultProxy.Faults(Duration.ofMillis(latencyMs), errorRate, resetRate);
        }

        boolean any() {
            return latencyMs != 0 || errorRate != 0 || resetRate != 0;
        }
    }

    public LocalFaults {
        ecs = ecs == null ? Map.of() : Map.copyOf(ecs);
        sqs = sqs == null ? SqsFaults.NONE : sqs;
        if (ecsStaleReadsMs < 0) {
            throw new IllegalArgumentException("ecsStaleReadsMs must not be negative, got " + ecsStaleReadsMs);
        }
        if (!(taskDeathsPerMinute >= 0)) {
            throw new IllegalArgumentException("taskDeathsPerMinute must not be negative, got " + taskDeathsPerMinute);
        }
        // The injector's and the proxy's own checks (rates within [0, 1], latency not negative) run here too.
        ecs.values().forEach(EcsFault::toFault);
        sqs.toFaults();
    }

    /** The faults the settings ask for at start-up; every ECS fault applies to every action. */
    static LocalFaults fromConfig(LocalConfig.Faults c, boolean sqsProxy) {
        EcsFault all = new EcsFault(c.ecsLatency().toMillis(), c.ecsErrorRate(), c.ecsErrorType(),
                c.ecsAfterApplyErrorRate(), c.ecsAfterApplyDropRate());
        SqsFaults sqs = new SqsFaults(c.sqsLatency().toMillis(), c.sqsErrorRate(), c.sqsResetRate());
        if (sqs.any() && !sqsProxy) {
            throw new IllegalArgumentException("coscale.local.faults.sqs-*: SQS faults need coscale.local.sqs-proxy=true");
        }
        boolean anyEcs = all.latencyMs() != 0 || all.errorRate() != 0 || all.afterApplyErrorRate() != 0
                || all.afterApplyDropRate() != 0;
        return new LocalFaults(anyEcs ? Map.of(FaultInjector.ALL, all) : Map.of(), c.ecsStaleReads().toMillis(),
                c.taskDeathsPerMinute(), sqs);
    }

    /** What the emulator and the proxy inject now. */
    static LocalFaults current(EcsEmulator ecs, SqsFaultProxy proxy) {
        FaultInjector injector = ecs.faults();
        Map<String, EcsFault> byAction = new LinkedHashMap<>();
        injector.faults().forEach((action, fault) -> byAction.put(action, EcsFault.of(fault)));
        SqsFaults sqs = proxy == null ? SqsFaults.NONE : new SqsFaults(proxy.faults().latency().toMillis(),
                proxy.faults().errorRate(), proxy.faults().resetRate());
        return new LocalFaults(byAction, injector.staleReads().toMillis(), injector.taskDeathsPerMinute(), sqs);
    }

    /** Replaces every fault of the emulator and the proxy with these. */
    void applyTo(EcsEmulator ecs, SqsFaultProxy proxy) {
        if (sqs.any() && proxy == null) {
            throw new IllegalArgumentException("SQS faults need the SQS proxy (coscale.local.sqs-proxy=true, as in the cloud profile)");
        }
        FaultInjector injector = ecs.faults();
        injector.clear();
        this.ecs.forEach((action, fault) -> injector.set(action, fault.toFault()));
        injector.staleReads(Duration.ofMillis(ecsStaleReadsMs));
        injector.taskDeathsPerMinute(taskDeathsPerMinute);
        if (proxy != null) {
            proxy.set(sqs.toFaults());
        }
    }
}
