package io.coscale.lease;

import io.coscale.concurrent.Threads;
import io.coscale.config.LeaseConfig;
import io.coscale.lease.LeaseRules.Kind;
import io.coscale.lease.LeaseRules.Write;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.LaunchMode;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.LongConsumer;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.eclipse.microprofile.config.ConfigProvider;
import org.jboss.logging.Logger;

/**
 * Holds, or waits for, the lease: one heartbeat every {@code coscale.lease.heartbeat} on its own daemon thread
 * reads and writes the {@link LeaseStore} as {@link LeaseRules} say, and keeps the resulting {@link LeaseState}.
 * Nothing escapes a heartbeat: a store that does not answer leaves this replica with what it knew, which for a
 * holder runs out by itself. Gaining or losing the lease fires {@link LeadershipChanged} and is logged.
 *
 * <p>On shutdown a leader hands the lease over: it stops leading, waits the margin, and writes the lease released, so
 * that another replica takes over at its next heartbeat rather than after the lease ran out (a rolling deploy then
 * goes without a leader for about a heartbeat, not for duration + margin).
 */
@ApplicationScoped
public class LeaseKeeper implements Leadership {

    private static final Logger LOG = Logger.getLogger(LeaseKeeper.class);

    private final LeaseStore store;
    private final LeaseRules rules;
    private final LongSupplier nanoClock;
    private final Consumer<LeadershipChanged> changes;
    private final Duration heartbeat;
    private final Counter takeovers;
    private final LongConsumer pauseNanos;
    private ScheduledExecutorService timer;
    // @GuardedBy("this"): stopped; no heartbeat runs any more.
    private boolean stopped;

    // Written only by heartbeat() (synchronized); read by any thread.
    private volatile LeaseState state = LeaseState.initial();
    private final WritesInFlight writes = new WritesInFlight();
    // @GuardedBy("this"): what the last LeadershipChanged said; whether the store failed last time (logged once).
    private boolean reportedLeader;
    private boolean failing;
    // Written only by heartbeat(); read by the health checks: nanoClock readings, null before the first.
    private volatile Long lastHeartbeatAt;
    private volatile Long lastAnswerAt;

    @Inject
    LeaseKeeper(LeaseConfig config, LeaseStore store, Event<LeadershipChanged> events, MeterRegistry registry) {
        this(store, rules(config), System::nanoTime, events::fire, config.heartbeat(), registry,
                // The memory store has no other replica to hand over to: shutting down need not wait for one.
                config.store() == LeaseConfig.Store.MEMORY ? null : LeaseKeeper::sleep);
    }

    /** A keeper of {@code store} by {@code rules}, on {@code nanoClock}; {@link #start()} is up to the caller. */
    LeaseKeeper(LeaseStore store, LeaseRules rules, LongSupplier nanoClock, Consumer<LeadershipChanged> changes,
            Duration heartbeat, MeterRegistry registry) {
        this(store, rules, nanoClock, changes, heartbeat, registry, LeaseKeeper::sleep);
    }

    /**
     * As above, waiting out the hand-over's margin with {@code pauseNanos} (tests move their clock instead); with
     * null, a stopping leader does not hand over (its lease runs out).
     */
    LeaseKeeper(LeaseStore store, LeaseRules rules, LongSupplier nanoClock, Consumer<LeadershipChanged> changes,
            Duration heartbeat, MeterRegistry registry, LongConsumer pauseNanos) {
        this.store = store;
        this.pauseNanos = pauseNanos;
        this.rules = rules;
        this.nanoClock = nanoClock;
        this.changes = changes;
        this.heartbeat = heartbeat;
        Gauge.builder("coscale.leader", this, k -> k.isLeader() ? 1 : 0)
                .description("1 while this replica holds the lease and may write ECS, else 0").register(registry);
        Gauge.builder("coscale.lease.epoch", this, Leadership::epoch)
                .description("The lease's epoch (fencing token) as this replica last saw it; 0 before any")
                .register(registry);
        this.takeovers = Counter.builder("coscale.lease.takeovers")
                .description("Times this replica took the lease with a new epoch (its first acquire included)")
                .register(registry);
    }

    // Before the control plane (priority 10) loads, so a single replica leads by the time it acts.
    void onStart(@Observes @Priority(5) StartupEvent event) {
        start();
    }

    void onStop(@Observes ShutdownEvent event) {
        stop();
    }

    /** Runs the first heartbeat now, then one every {@code heartbeat}. */
    synchronized void start() {
        heartbeat();
        timer = Executors.newSingleThreadScheduledExecutor(Threads.daemon("coscale-lease"));
        long every = heartbeat.toNanos();
        timer.scheduleWithFixedDelay(this::heartbeat, every, every, TimeUnit.NANOSECONDS);
    }

    /** Stops heartbeating and hands the lease over if this replica leads (see {@link #handOver()}). */
    synchronized void stop() {
        stopped = true;
        if (timer != null) {
            timer.shutdownNow();
        }
        handOver();
    }

    /**
     * Gives the lease up: stops leading now (every later {@link #checkWrite} refuses), waits for the ECS writes checked
     * before to end ({@link #fenced}; at most the lease's duration, though each is bounded by the ECS call timeout),
     * then the margin, then writes the lease released. A release refused or unanswered
     * changes nothing: the lease then runs out by itself, as it would have without a hand-over.
     */
    private void handOver() {
        long now = nanoClock.getAsLong();
        if (pauseNanos == null || !rules.leads(state, now)) {
            return;
        }
        state = rules.resign(state, now);
        report();
        // No write is checked from here on; those checked before end (ECS answers or the call times out) first.
        if (!writes.awaitNone(rules.duration())) {
            LOG.warnf("Replica %s hands the lease over with ECS writes still in flight", rules.self());
        }
        pauseNanos.accept(rules.margin().toNanos());
        Optional<Write> release = rules.release(state, nanoClock.getAsLong());
        if (release.isEmpty()) {
            return;
        }
        long started = nanoClock.getAsLong();
        try {
            if (store.write(release.get().item(), release.get().expectedVersion())) {
                state = rules.written(state, release.get(), started);
                LOG.infof("Replica %s handed the lease over (epoch %d): another replica may take it at once",
                        rules.self(), release.get().item().epoch());
            } else {
                LOG.infof("Replica %s could not release the lease (another replica wrote it)", rules.self());
            }
        } catch (LeaseStoreException e) {
            LOG.warnf("Replica %s could not release the lease (%s); it runs out by itself", rules.self(), e.getMessage());
        }
    }

    private static void sleep(long nanos) {
        try {
            TimeUnit.NANOSECONDS.sleep(nanos);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * One round: read if this replica's view may be stale, send the write the rules call for, and read again after a
     * refused write so that the new leader is known at once. Never throws.
     */
    synchronized void heartbeat() {
        if (stopped) {
            return;
        }
        try {
            if (rules.shouldRead(state)) {
                Optional<LeaseItem> stored = store.read(rules.name());
                lastAnswerAt = nanoClock.getAsLong();
                state = rules.read(state, stored, lastAnswerAt);
            }
            Optional<Write> write = rules.next(state, nanoClock.getAsLong());
            if (write.isPresent()) {
                send(write.get());
            }
            if (failing) {
                LOG.info("The lease store answers again");
                failing = false;
            }
        } catch (LeaseStoreException e) {
            if (!failing) {
                LOG.warnf("The lease store did not answer (%s); this replica keeps what it knew", e.getMessage());
                failing = true;
            }
        } catch (RuntimeException e) {
            LOG.error("Lease heartbeat failed", e);
        }
        report();
        lastHeartbeatAt = nanoClock.getAsLong();
    }

    private void send(Write write) {
        long started = nanoClock.getAsLong();
        boolean written;
        try {
            written = store.write(write.item(), write.expectedVersion());
        } catch (LeaseStoreException e) {
            state = rules.unknown(state, write, started);
            throw e;
        }
        lastAnswerAt = nanoClock.getAsLong(); // a refused write is an answer too
        if (written) {
            state = rules.written(state, write, started);
            if (write.kind() != Kind.RENEW) {
                takeovers.increment();
                LOG.infof("Replica %s took the lease (%s, epoch %d)", rules.self(), write.kind(), write.item().epoch());
            }
            return;
        }
        state = rules.refused(state, write, started);
        Optional<LeaseItem> stored = store.read(rules.name());
        lastAnswerAt = nanoClock.getAsLong();
        state = rules.read(state, stored, lastAnswerAt);
    }

    private void report() {
        boolean leads = isLeader();
        if (leads == reportedLeader) {
            return;
        }
        reportedLeader = leads;
        long epoch = epoch();
        if (leads) {
            LOG.infof("Replica %s leads (epoch %d)", rules.self(), epoch);
        } else {
            LOG.infof("Replica %s no longer leads (epoch %d); the leader is %s", rules.self(), epoch,
                    leaderId().orElse("not known"));
        }
        try {
            changes.accept(new LeadershipChanged(leads, epoch));
        } catch (RuntimeException e) {
            LOG.error("An observer of LeadershipChanged failed", e);
        }
    }

    /** How long ago, by this keeper's clock, the last heartbeat finished (whatever the store said); empty before one. */
    public Optional<Duration> sinceHeartbeat() {
        return since(lastHeartbeatAt);
    }

    /** How long ago the lease store last answered a read or a write (a refused write counts); empty if it never did. */
    public Optional<Duration> sinceStoreAnswered() {
        return since(lastAnswerAt);
    }

    private Optional<Duration> since(Long at) {
        return Optional.ofNullable(at).map(t -> Duration.ofNanos(nanoClock.getAsLong() - t));
    }

    @Override
    public boolean isLeader() {
        return rules.leads(state, nanoClock.getAsLong());
    }

    @Override
    public long epoch() {
        return state.epoch();
    }

    @Override
    public Optional<String> leaderId() {
        return rules.leader(state, nanoClock.getAsLong()).map(LeaseItem::holder);
    }

    @Override
    public Optional<String> leaderAddress() {
        return rules.leader(state, nanoClock.getAsLong()).map(LeaseItem::address);
    }

    @Override
    public String selfId() {
        return rules.self();
    }

    /** Counts the write in flight before checking the lease (see {@link WritesInFlight#run}). */
    @Override
    public <T> T fenced(Supplier<T> write) {
        return writes.run(this::checkWrite, write);
    }

    @Override
    public void checkWrite() {
        LeaseState now = state;
        long at = nanoClock.getAsLong();
        if (!rules.mayWrite(now, at)) {
            Optional<LeaseItem> leader = rules.leader(now, at);
            throw new NotLeaderException("replica " + rules.self() + " does not hold the lease"
                    + leader.map(l -> " (the leader is " + l.holder() + " at " + l.address() + ")").orElse(""),
                    leader.map(LeaseItem::address));
        }
    }

    /**
     * Refuses timings where one lost heartbeat would cost a holder its lease: two heartbeats must fit in
     * {@code duration − 2 × margin} (the holder's lease, less the margin {@link #checkWrite} keeps).
     *
     * @throws IllegalArgumentException naming the keys, otherwise
     */
    static void checkTiming(Duration duration, Duration heartbeat, Duration margin) {
        if (heartbeat.isNegative() || heartbeat.isZero() || margin.isNegative()
                || heartbeat.multipliedBy(2).compareTo(duration.minus(margin.multipliedBy(2))) > 0) {
            throw new IllegalArgumentException("coscale.lease: two heartbeats (heartbeat " + heartbeat + ") must fit in"
                    + " the duration (" + duration + ") less twice the margin (" + margin + "), so that one lost"
                    + " heartbeat does not cost the lease");
        }
    }

    private static LeaseRules rules(LeaseConfig config) {
        Duration d = config.duration();
        Duration m = config.margin();
        checkTiming(d, config.heartbeat(), m);
        Replica self = Replica.resolve(config.replicaId(), config.advertiseUrl(), httpPort());
        LOG.infof("Replica %s (%s), lease '%s' in the %s store", self.id(), self.address(), config.name(),
                config.store().name().toLowerCase(java.util.Locale.ROOT));
        return new LeaseRules(config.name(), self.id(), self.address(), d, m);
    }

    private static int httpPort() {
        boolean test = LaunchMode.current() == LaunchMode.TEST;
        return ConfigProvider.getConfig().getOptionalValue(test ? "quarkus.http.test-port" : "quarkus.http.port",
                Integer.class).orElse(test ? 8081 : 8080);
    }
}
