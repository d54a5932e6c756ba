package io.coscale.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

/**
 * Removes every meter when the application stops. Micrometer keeps one meter per name and tags, and the registry
 * coscale registers with outlives an application started again in the same JVM (as the tests do): without this, the
 * new application's gauges (the leader, each pool's figures, the dead-letter depth) would go on reading the stopped
 * one's objects, in /q/metrics and in the CloudWatch lines alike. One JVM runs one coscale in production.
 */
@Singleton
class MeterCleanup {

    private final MeterRegistry registry;

    MeterCleanup(MeterRegistry registry) {
        this.registry = registry;
    }

    void stopped(@Observes ShutdownEvent event) {
        registry.clear();
    }
}
