package io.coscale.lease;

import java.util.Objects;

/**
 * The lease as stored: one item per lease {@code name}. {@code version} changes with every write, so that a write
 * can be made conditional on the version its writer last saw; {@code epoch} changes only when the holder changes
 * (the fencing token). The store adds its own expiry attribute ({@code ttl}); it is not part of the lease.
 *
 * @param name    the lease's key
 * @param holder  the replica id of the holder
 * @param address the URL other replicas reach the holder at
 * @param epoch   the fencing token: 1 for the first holder, one more at every takeover
 * @param version 1 for the first write, one more at every write
 * @param released the holder gave the lease up (it stopped writing ECS a margin before): another replica may take
 *                 it over at once instead of waiting for it to run out
 */
public record LeaseItem(String name, String holder, String address, long epoch, long version, boolean released) {

    /** A held lease (not released). */
    public LeaseItem(String name, String holder, String address, long epoch, long version) {
        this(name, holder, address, epoch, version, false);
    }

    public LeaseItem {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(holder, "holder");
        Objects.requireNonNull(address, "address");
        if (epoch < 1 || version < 1) {
            throw new IllegalArgumentException("epoch and version start at 1: " + epoch + ", " + version);
        }
    }
}
