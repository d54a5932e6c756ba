package io.coscale.lease;

/**
 * A CDI event: this replica gained ({@code leader}) or lost the lease, fired from the lease's heartbeat thread when
 * it notices. A lease can run out between two heartbeats: {@link Leadership} answers at once, the event follows.
 * Observers run on that thread, so they should return quickly: the next heartbeat waits for them.
 *
 * @param leader whether this replica leads now
 * @param epoch  the lease's epoch as this replica knows it
 */
public record LeadershipChanged(boolean leader, long epoch) {
}
