package io.coscale.control;

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
        this.refillPerNano = refillPerSecond / 1e9;
        this.nanoClock = nanoClock;
        this.tokens = capacity;
        this.lastRefill = nanoClock.getAsLong();
    }

    public TokenBucket(double capacity, double refillPerSecond) {
        this(capacity, refillPerSecond, System::nanoTime);
    }

    /** Takes one token if one is there; never waits. */
    public synchronized boolean tryAcquire() {
        refill();
        if (tokens >= 1) {
            tokens -= 1;
            return true;
        }
        return false;
    }

    /** Nanoseconds until a token will be there: 0 when one is there now. Takes nothing. */
    public synchronized long nanosUntilAvailable() {
        refill();
        return tokens >= 1 ? 0 : (long) Math.ceil((1 - tokens) / refillPerNano);
    }

    private void refill() {
        long now = nanoClock.getAsLong();
        tokens = Math.min(capacity, tokens + (now - lastRefill) * refillPerNano);
        lastRefill = now;
    }
}
