package io.coscale.domain;

/**
 * When a pool's next merged scale-up may go out. The first call of a burst goes out at once; later ones wait until
 * the gap since the previous call has passed. Work that has to wait means a burst goes on, and the gap after it is
 * twice as wide (up to {@code maxGapNanos}); work that finds the gap already over comes after a quiet spell, and the
 * gap is back to {@code firstGapNanos}. So a long burst costs a handful of UpdateService calls whatever its rate.
 * Pure: times are nanosecond readings passed in.
 */
public record ScaleUpPacing(long firstGapNanos, long maxGapNanos) {

    /**
     * @param waitNanos how long the next call waits from now
     * @param gapNanos the gap to apply after that call
     */
    public record Next(long waitNanos, long gapNanos) {
    }

    /** The wait for a call wanted at {@code nowNanos}, the last having gone out at {@code lastCallNanos}. */
    public Next next(long nowNanos, long lastCallNanos, long gapNanos) {
        long wait = Math.max(gapNanos - (nowNanos - lastCallNanos), 0);
        return new Next(wait, wait > 0 ? Math.min(2 * gapNanos, maxGapNanos) : firstGapNanos);
    }
}
