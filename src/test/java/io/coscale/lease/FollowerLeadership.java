package io.coscale.lease;

import java.util.Optional;

/**
 * A replica that does not hold the lease (until a test sets {@link #leads}): another one does, at
 * {@code leaderAddress}, and every ECS write of this one is refused.
 */
public class FollowerLeadership implements Leadership {

    /** Whether this replica holds the lease now. */
    public volatile boolean leads;
    private final String leaderAddress;

    public FollowerLeadership(String leaderAddress) {
        this.leaderAddress = leaderAddress;
    }

    /** A follower of a leader nobody answers at. */
    public FollowerLeadership() {
        this("http://127.0.0.1:1");
    }

    @Override
    public boolean isLeader() {
        return leads;
    }

    @Override
    public long epoch() {
        return 1;
    }

    @Override
    public Optional<String> leaderId() {
        return Optional.of(leads ? "me" : "other");
    }

    @Override
    public Optional<String> leaderAddress() {
        return Optional.of(leaderAddress);
    }

    @Override
    public String selfId() {
        return "me";
    }

    @Override
    public void checkWrite() {
        if (!leads) {
            throw new NotLeaderException("not the leader", leaderAddress());
        }
    }
}
