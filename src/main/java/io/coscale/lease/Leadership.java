package io.coscale.lease;

import java.util.Optional;
import java.util.function.Supplier;

/**
 * Whether this replica may write ECS now. Only the holder of the lease may; every answer is this replica's own
 * view at the moment of the call, by its own clock, and a holder's view errs on the side of not leading.
 */
public interface Leadership {

    /** One replica alone, with nobody to share the lease with: it always leads (tests and embedded uses). */
    Leadership ALONE = new Leadership() {
        @Override
        public boolean isLeader() {
            return true;
        }

        @Override
        public long epoch() {
            return 1;
        }

        @Override
        public Optional<String> leaderId() {
            return Optional.of("alone");
        }

        @Override
        public Optional<String> leaderAddress() {
            return Optional.empty();
        }

        @Override
        public String selfId() {
            return "alone";
        }

        @Override
        public void checkWrite() {
        }
    };

    /** Whether this replica holds the lease now. */
    boolean isLeader();

    /** The fencing token: the epoch of the lease as this replica last saw it (its own while it leads); 0 if none yet. */
    long epoch();

    /** The replica that leads as far as this one knows; empty when no lease is live or none is known. */
    Optional<String> leaderId();

    /** The URL of the replica that leads, as it advertised it; empty when {@link #leaderId()} is. */
    Optional<String> leaderAddress();

    /** This replica's id. */
    String selfId();

    /**
     * Returns if this replica leads with at least the lease's margin of lease left, enough for one write to finish
     * before any other replica could take over; call it right before each write.
     *
     * @throws NotLeaderException otherwise, with the leader's address when one is known
     */
    void checkWrite();

    /**
     * Makes one write to ECS fenced by the lease: {@link #checkWrite()} right before it, and the write counted as in
     * flight until it returns or fails, so that a hand-over releases the lease only after it has ended (each ECS call
     * is bounded by {@code coscale.ecs.call-timeout}, within the lease's margins).
     *
     * @throws NotLeaderException as {@link #checkWrite()}, before writing anything
     */
    default <T> T fenced(Supplier<T> write) {
        checkWrite();
        return write.get();
    }
}
