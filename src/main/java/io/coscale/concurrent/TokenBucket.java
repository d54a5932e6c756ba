package io.coscale.concurrent;

import java.util.function.LongSupplier;

/**
 * A token bucket: up to {@code capacity} tokens, refilled continuously at {@code refillPerSecond}. This is
 * how AWS meters API calls (burst, then a sustained rate), so coscale uses it both to stay inside ECS's
 * {@code UpdateService} budget and, in the emulator, to throttle callers the way ECS does.
 *
 * <p>Thread-safe. Time comes from the given nanosecond clock so that tests can drive it.
 */
public final class TokenBucket {

    private final double capacity;
    private final double refillPerSecond;
    private final double refillPerNano;
    private final LongSupplier nanoClock;

    // @GuardedBy("this")
    private double tokens;
    // @GuardedBy("this")
    private long lastRefill;

    public TokenBucket(double capacity, double refillPerSecond, LongSupplier nanoClock) {
        if (capacity < 1 || refillPerSecond <= 0) {
            throw new IllegalArgumentException("capacity must be >= 1 and refill > 0, got " + capacity + "/" + refillPerSecond);
        }
        this.capacity = capacity;
        this.refillPerSecond = refillPerSecond;
        this.refillPerNano = refillPerSecond / 1e9;
        this.nanoClock = nanoClock;
        this.tokens = capacity;
        this.lastRefill = nanoClock.getAsLong();
    }

    public TokenBucket(double capacity, double refillPerSecond) {
        this(capacity, refillPerSecond, System::nanoTime);
    }

    /** Takes one token if one is there; never waits. */
    public boolean tryAcquire() {
        return tryAcquire(1, 0) == 1;
    }

    /**
     * Takes up to {@code wanted} tokens, leaving at least {@code reserve} in the bucket ({@link TokenReserve}); never
     * waits.
     *
     * @return how many it took
     */
    public synchronized int tryAcquire(int wanted, int reserve) {
        refill();
        return take(TokenReserve.grant(tokens, reserve, wanted));
    }

    /**
     * As {@link #tryAcquire(int, int)}, with {@link TokenReserve}'s aging: one token below the reserve for a first
     * waiter that has waited {@code maxWaitNanos} without any waiter being served.
     */
    public synchronized int tryAcquire(int wanted, int reserve, long headWaitNanos, long maxWaitNanos) {
        refill();
        return take(TokenReserve.grant(tokens, reserve, wanted, headWaitNanos, maxWaitNanos));
    }

    /** Nanoseconds until a token will be there: 0 when one is there now. Takes nothing. */
    public synchronized long nanosUntilAvailable() {
        refill();
        return TokenReserve.nanosUntilNext(tokens, 0, refillPerSecond);
    }

    /**
     * Nanoseconds until a token will be there above {@code reserve}, or until the first waiter may take one below it
     * ({@link TokenReserve}'s aging) if sooner: 0 when one may go now. Takes nothing.
     */
    public synchronized long nanosUntilAvailable(int reserve, long headWaitNanos, long maxWaitNanos) {
        refill();
        return TokenReserve.nanosUntilNext(tokens, reserve, refillPerSecond, headWaitNanos, maxWaitNanos);
    }

    /** Now on the bucket's clock: a queue ages its waiters on the time the tokens refill by. */
    public long nanoTime() {
        return nanoClock.getAsLong();
    }

    /** The bucket's capacity: a reserve must stay below it. */
    public double capacity() {
        return capacity;
    }

    private int take(int granted) {
        tokens -= granted;
        return granted;
    }

    private void refill() {
        long now = nanoClock.getAsLong();
        tokens = Math.min(capacity, tokens + (now - lastRefill) * refillPerNano);
        lastRefill = now;
    }
}
