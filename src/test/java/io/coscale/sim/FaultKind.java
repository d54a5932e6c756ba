package io.coscale.sim;

/** What can go wrong at one call, as issue 21 lists the kinds. */
enum FaultKind {
    /** The service refused the call (throttled) before applying anything. */
    REFUSED_BEFORE_APPLY,
    /** Applied, then answered 500. */
    APPLIED_THEN_5XX,
    /** Applied, then the connection dropped before the answer. */
    APPLIED_THEN_DROPPED,
    /** No answer within the call timeout; the service applies it as the timeout ends. */
    TIMEOUT,
    /** Applied and answered, then coscale is killed -9: another replica takes over from ECS and SQS alone. */
    KILLED_AFTER,
    /** Applied and answered, then this replica cannot reach the lease store until another replica has taken it. */
    LEASE_LOST_AFTER,
    /** Applied and answered, then reads answer the world from before it for a while (eventual consistency). */
    STALE_READ_AFTER;

    /** Whether the kind means something at a call of this kind (lease calls are strongly consistent, and not leased). */
    boolean appliesTo(boolean leaseCall) {
        return !leaseCall || this != LEASE_LOST_AFTER && this != STALE_READ_AFTER;
    }
}
