package io.coscale.api.health;

import io.coscale.lease.LeadershipChanged;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.Optional;
import java.util.function.LongSupplier;

/**
 * The facts the health checks need that no other part keeps: when this replica started, when the scheduler and the
 * event loop last ran a tick of their own, and since when this replica leads. Times are {@code System.nanoTime()}.
 */
@ApplicationScoped
class HealthFacts {

    /** How often the scheduler and the event loop each tick here. */
    static final Duration SCHEDULER_TICK = Duration.ofSeconds(5);
    static final Duration EVENT_LOOP_TICK = Duration.ofSeconds(1);

    private final LongSupplier clock;
    private final long startedAt;
    private volatile Long schedulerTickAt;
    private volatile Long eventLoopTickAt;
    private volatile Long leadingSince;

    @Inject
    HealthFacts() {
        this(System::nanoTime);
    }

    /** Facts timed on {@code clock} (nanoseconds), from now. */
    HealthFacts(LongSupplier clock) {
        this.clock = clock;
        this.startedAt = clock.getAsLong();
    }

    void onStart(@Observes StartupEvent event, Vertx vertx) {
        // A timer on an event loop: it stops firing while that loop is blocked.
        vertx.setPeriodic(EVENT_LOOP_TICK.toMillis(), id -> eventLoopTickAt = clock.getAsLong());
    }

    @Scheduled(every = "5s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void schedulerTick() {
        schedulerTickAt = clock.getAsLong();
    }

    void leadershipChanged(@Observes LeadershipChanged change) {
        leadingSince = change.leader() ? clock.getAsLong() : null;
    }

    Duration sinceStart() {
        return Duration.ofNanos(clock.getAsLong() - startedAt);
    }

    Optional<Duration> sinceSchedulerTick() {
        return since(schedulerTickAt);
    }

    Optional<Duration> sinceEventLoopTick() {
        return since(eventLoopTickAt);
    }

    /** How long this replica has led, as the lease keeper last said; empty while it does not. */
    Optional<Duration> leadingFor() {
        return since(leadingSince);
    }

    private Optional<Duration> since(Long at) {
        return Optional.ofNullable(at).map(t -> Duration.ofNanos(clock.getAsLong() - t));
    }
}
