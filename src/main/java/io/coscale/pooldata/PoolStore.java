package io.coscale.pooldata;

import java.util.List;
import java.util.Optional;

/**
 * Where pools defined as data live, shared by every replica. Every write is conditional on the version the writer
 * saw, and bumps a change counter that replicas poll, so that a poll costs one small read however many pools there
 * are.
 */
public interface PoolStore extends AutoCloseable {

    /** The version of a pool never written. */
    long ABSENT = 0;

    /**
     * A number that grows with every write: a replica that saw it before reads {@link #all()} again only when it
     * differed. May lag a write by up to a second (an eventually consistent read).
     *
     * @throws PoolStoreException the store did not answer
     */
    long changes();

    /**
     * Every pool the store holds, deleted ones included, as of a strongly consistent read.
     *
     * @throws PoolStoreException the store did not answer
     */
    List<StoredPool> all();

    /**
     * The pool {@code name}, deleted or not, as of a strongly consistent read; empty if never written.
     *
     * @throws PoolStoreException the store did not answer
     */
    Optional<StoredPool> find(String name);

    /**
     * Writes the pool if its version is still {@code expectedVersion} ({@link #ABSENT} for a pool never written),
     * then bumps {@link #changes()}.
     *
     * @return the pool as written, at {@code expectedVersion + 1}; empty when its version was another (nothing written)
     * @throws PoolStoreException the store did not answer; the pool may or may not have been written, and the change
     *     counter not bumped: writing it again (the same PUT) settles both
     */
    Optional<StoredPool> write(String name, String definition, StoredPool.Origin origin, boolean deleted,
            long expectedVersion);

    /**
     * Writes a pool of the pools document unless the store has it from the API (written or deleted there) or has it
     * with this very definition: the document adds pools and changes its own, never the API's.
     *
     * @return whether it was written
     * @throws PoolStoreException the store did not answer
     */
    boolean seed(String name, String definition);

    @Override
    void close();
}
