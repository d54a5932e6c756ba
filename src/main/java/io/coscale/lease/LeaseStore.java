package io.coscale.lease;

import java.util.Optional;

/**
 * Where the lease item lives. Every write is conditional, so two replicas can never both believe their write
 * replaced the same version: this is the whole of the lease's safety; timing only decides when to try.
 */
public interface LeaseStore extends AutoCloseable {

    /** The version {@link #write} expects when the item must not exist yet. */
    long ABSENT = 0;

    /**
     * The item as of now, strongly consistent: a read after a completed write sees that write or a later one.
     *
     * @return empty when no item of that name exists
     * @throws LeaseStoreException the store could not be asked
     */
    Optional<LeaseItem> read(String name);

    /**
     * Puts {@code item} if, and only if, the stored item of its name has version {@code expectedVersion} (or, for
     * {@link #ABSENT}, no item exists). Atomic: of two writes expecting the same version, at most one succeeds.
     *
     * @return true if written, false if the condition failed: someone else wrote first (the caller must re-read)
     * @throws LeaseStoreException the outcome is unknown: the write may or may not have happened
     */
    boolean write(LeaseItem item, long expectedVersion);

    /** Releases the store's connections; the default has none. */
    @Override
    default void close() {
    }
}
