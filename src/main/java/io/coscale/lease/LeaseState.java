package io.coscale.lease;

import java.util.Optional;

/**
 * What one replica knows of the lease after its last read or write: a value, computed by {@link LeaseRules}. Times
 * are this replica's monotonic clock ({@link System#nanoTime()} in production) and mean nothing to another replica.
 *
 * @param item      the item as last read or written; empty before the first read, or when none exists
 * @param seenAt    when this replica first saw {@code item} (a follower's expiry counts from here)
 * @param holding   {@code item} is this replica's own last successful write, and no write of it was refused since
 * @param leadUntil while holding: this replica leads until then (its last successful write's start + duration −
 *                  margin)
 * @param mustRead  the stored item may differ from {@code item} (never read yet, a write refused, or its outcome
 *                  unknown): read before writing
 * @param attempt   this replica's write whose outcome is not known yet; a read that finds exactly its item proves
 *                  it landed
 */
record LeaseState(Optional<LeaseItem> item, long seenAt, boolean holding, long leadUntil, boolean mustRead,
        Optional<Attempt> attempt) {

    /** A write of {@code item} whose outcome is not known, first tried at {@code startedAt}. */
    record Attempt(LeaseItem item, long startedAt) {
    }

    /** Nothing known yet. */
    static LeaseState initial() {
        return new LeaseState(Optional.empty(), 0, false, 0, true, Optional.empty());
    }

    /** The epoch of the item as last seen; 0 when none was seen. */
    long epoch() {
        return item.map(LeaseItem::epoch).orElse(0L);
    }
}
