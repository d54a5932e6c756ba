package io.coscale.sim;

import io.coscale.lease.Leadership;
import io.coscale.lease.NotLeaderException;
import java.util.Optional;

/**
 * One coscale process's view of the lease, as LeaseKeeper keeps it (docs/ARCHITECTURE.md, "The lease"): it leads from
 * a successful acquire until its own expiry — the lease's duration less the margin after its last successful renewal
 * was sent — and writes only with at least the margin of it left. Another process takes the lease a margin after the
 * store's expiry, or at once when it was handed over.
 */
final class SimLeadership implements Leadership {

    static final long DURATION = 5_000_000_000L;
    static final long HEARTBEAT = 1_000_000_000L;
    static final long MARGIN = 1_000_000_000L;

    private final SimScheduler scheduler;
    private final String self;
    boolean holds;
    long epoch;
    long localExpiry;
    /** The epoch the last write was checked under: the one it lands under. */
    long checkedEpoch;
    /** Renewals fail until then (a lease lost to a store that cannot be reached). */
    long renewalsFailUntil = Long.MIN_VALUE;
    /** When this process last led; writes it refused later than {@link #LATE} after that. */
    private long lastLed = Long.MIN_VALUE;
    int lateRefusals;
    static final long LATE = 20_000_000_000L;

    SimLeadership(SimScheduler scheduler, String self) {
        this.scheduler = scheduler;
        this.self = self;
    }

    @Override
    public boolean isLeader() {
        boolean leads = holds && scheduler.nanos() < localExpiry;
        if (leads) {
            lastLed = scheduler.nanos();
        }
        return leads;
    }

    @Override
    public long epoch() {
        return epoch;
    }

    @Override
    public Optional<String> leaderId() {
        return isLeader() ? Optional.of(self) : Optional.empty();
    }

    @Override
    public Optional<String> leaderAddress() {
        return Optional.empty();
    }

    @Override
    public String selfId() {
        return self;
    }

    @Override
    public void checkWrite() {
        if (!isLeader() || localExpiry - scheduler.nanos() < MARGIN) {
            if (lastLed != Long.MIN_VALUE && scheduler.nanos() - lastLed > LATE) {
                lateRefusals++;
            }
            throw new NotLeaderException("not the leader", Optional.empty());
        }
        checkedEpoch = epoch;
    }
}
