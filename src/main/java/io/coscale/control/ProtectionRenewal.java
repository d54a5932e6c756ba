package io.coscale.control;

import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.concurrent.CompletionException;

/**
 * Renews scale-in protection on its own schedule ({@code coscale.control.renew-interval}, default 60s), so that a
 * reconcile pass that is skipped or fails never lets a busy task's protection lapse. Each pool renews on its serial
 * executor what lapses within a quarter of its protection's length; failures become the pool's lastError, an
 * event and a metric. Nothing escapes. It also starts a pool's protection take-over when one is due
 * ({@link PoolController#renewProtection}), so that a pool whose reconcile reads keep failing still takes it over.
 */
@ApplicationScoped
public class ProtectionRenewal {

    private final Pools plane;

    ProtectionRenewal(Pools plane) {
        this.plane = plane;
    }

    @Scheduled(every = "${coscale.control.renew-interval:60s}", delayed = "${coscale.control.renew-interval:60s}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void renewAll() {
        if (!plane.leads()) {
            return; // the leader renews; this replica writes nothing
        }
        for (PoolController pool : plane.pools()) {
            pool.renewProtection().exceptionally(e -> {
                pool.failed("renew protection", e instanceof CompletionException c ? c.getCause() : e);
                return null;
            });
        }
    }
}
