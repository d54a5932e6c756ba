package io.coscale.control;

import io.coscale.config.PoolDataConfig;
import io.coscale.domain.Pool;
import io.coscale.pooldata.PoolStore;
import io.coscale.pooldata.StoredPool;
import jakarta.inject.Singleton;
import java.util.Optional;

/**
 * Pools created, changed and deleted through the API. A definition is read by the pools document's rules, checked
 * against ECS and SQS ({@link PoolChecks}), then written to the pool store conditionally on the version seen, and
 * managed here at once; the other replicas manage it at their next poll ({@link PoolSync}). Nothing is written for a
 * definition that fails.
 */
@Singleton
public class PoolEditor {

    /** Writes tried when a concurrent writer changed the pool between the read and the write of an unconditional PUT. */
    private static final int ATTEMPTS = 3;

    private final Pools pools;
    private final PoolStore store;
    private final ControlContext ctx;
    private final PoolChecks checks;

    PoolEditor(Pools pools, PoolStore store, ControlContext ctx, PoolDataConfig config) {
        this.pools = pools;
        this.store = store;
        this.ctx = ctx;
        this.checks = new PoolChecks(ctx, config);
    }

    /** A pool as written, and whether it was new (no pool of its name was managed before). */
    public record Written(StoredPool pool, boolean created) {
    }

    /**
     * Creates or replaces the pool {@code name}.
     *
     * @param ifMatch the version the caller last saw; the write happens only if it is still the pool's
     * @param ifNoneMatch create only: refused if the pool exists
     * @throws PoolDefinitions.MalformedDefinition the body is not a definition (not JSON, a key unknown or mistyped)
     * @throws Refused the definition breaks a rule, or ECS or SQS say the pool could not work
     * @throws VersionMismatch a precondition failed: nothing was written
     * @throws Unavailable ECS or SQS did not answer a check: nothing was written
     * @throws io.coscale.pooldata.PoolStoreException the store did not answer
     */
    public Written put(String name, String body, Optional<Long> ifMatch, boolean ifNoneMatch) {
        Pool pool;
        try {
            pool = PoolDefinitions.parse(name, body, ctx.queueGateway());
        } catch (PoolDefinitions.MalformedDefinition e) {
            throw e;
        } catch (IllegalArgumentException e) {
            throw new Refused(e.getMessage());
        }
        Optional<String> sharing = PoolLoader.sharingService(pool, pools.pools().stream().map(PoolController::pool).toList());
        if (sharing.isPresent()) {
            throw new Refused("service " + pool.service() + " in cluster " + pool.cluster() + " is pool " + sharing.get()
                    + "'s: give each service one pool");
        }
        checks.refusal(pool).ifPresent(reason -> {
            throw new Refused(reason);
        });
        String definition = PoolDefinitions.canonical(pool);
        for (int attempt = 1;; attempt++) {
            Optional<StoredPool> current = store.find(name);
            boolean exists = current.filter(p -> !p.deleted()).isPresent();
            if (ifNoneMatch && exists) {
                throw new VersionMismatch("pool " + name + " exists (version " + current.get().version() + ")");
            }
            preconditions(name, current, exists, ifMatch);
            Optional<StoredPool> written = store.write(name, definition, StoredPool.Origin.API, false,
                    current.map(StoredPool::version).orElse(PoolStore.ABSENT));
            if (written.isPresent()) {
                pools.apply(written.get());
                return new Written(written.get(), !exists);
            }
            if (ifMatch.isPresent() || ifNoneMatch || attempt == ATTEMPTS) {
                throw new VersionMismatch("pool " + name + " was changed by another request meanwhile; read it and try again");
            }
        }
    }

    /**
     * Deletes the pool {@code name}: coscale stops managing it on every replica; its service keeps its desiredCount and
     * its tasks run on (scale it down yourself if that is what you want).
     *
     * @return false when there is no such pool
     * @throws VersionMismatch {@code ifMatch} is not the pool's version: nothing was deleted
     */
    public boolean delete(String name, Optional<Long> ifMatch) {
        for (int attempt = 1;; attempt++) {
            Optional<StoredPool> current = store.find(name);
            if (current.filter(p -> !p.deleted()).isEmpty()) {
                return false;
            }
            preconditions(name, current, true, ifMatch);
            Optional<StoredPool> written = store.write(name, current.get().definition(), StoredPool.Origin.API, true,
                    current.get().version());
            if (written.isPresent()) {
                pools.apply(written.get());
                return true;
            }
            if (ifMatch.isPresent() || attempt == ATTEMPTS) {
                throw new VersionMismatch("pool " + name + " was changed by another request meanwhile; read it and try again");
            }
        }
    }

    /** The stored definition of the pool {@code name}; empty when there is none (or it was deleted). */
    public Optional<StoredPool> definition(String name) {
        return store.find(name).filter(p -> !p.deleted());
    }

    private static void preconditions(String name, Optional<StoredPool> current, boolean exists, Optional<Long> ifMatch) {
        if (ifMatch.isPresent() && (!exists || current.get().version() != ifMatch.get())) {
            throw new VersionMismatch("pool " + name + (exists ? " is at version " + current.get().version()
                    : " does not exist") + ", not " + ifMatch.get());
        }
    }

    /** A pool that cannot be managed as defined: the message says why. */
    public static final class Refused extends RuntimeException {
        Refused(String reason) {
            super(reason, null, false, false);
        }
    }

    /** ECS or SQS did not answer a check (throttled, a 5xx, no answer): nothing was written; the same PUT may pass later. */
    public static final class Unavailable extends RuntimeException {
        Unavailable(String reason) {
            super(reason, null, false, false);
        }
    }

    /** A write whose precondition failed (If-Match, If-None-Match, or a concurrent write): nothing was written. */
    public static final class VersionMismatch extends RuntimeException {
        VersionMismatch(String reason) {
            super(reason, null, false, false);
        }
    }
}
