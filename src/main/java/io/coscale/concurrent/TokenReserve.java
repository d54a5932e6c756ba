package io.coscale.concurrent;

/**
 * How many calls that must leave a reserve in a token bucket may go now. coscale's protection take-over (one ListTasks
 * per pool after a start-up or a lease takeover) spends from the same ECS read budget as the DescribeTasks calls that
 * answer workers' claims; the take-over may only spend what lies above the reserve, so that a claim always finds
 * tokens. Pure: the bucket's level is passed in. A reserve of 0 is an ordinary token bucket (one call per whole token).
 *
 * <p>Aging: claims alone can hold the bucket below the reserve for as long as they come (15 a second with the default
 * budget), and the take-over would then wait for ever, while the protection the last leader set runs out under busy
 * tasks. So a first waiter that has waited {@code maxWait} without any waiter being served may take a token below the
 * reserve: one, and only a whole token the bucket has. The queue then serves its next waiter the same way at the
 * earliest {@code maxWait} later, so the take-over goes on at one call per {@code maxWait} at least, and costs claims
 * no more than that. With a reserve of 0 aging changes nothing: every whole token goes anyway.
 */
public final class TokenReserve {

    private TokenReserve() {
    }

    /**
     * @param tokens the bucket's level now (refilled continuously, so fractional)
     * @param reserve tokens that must stay in the bucket after the calls
     * @param wanted calls waiting to go
     * @return how many of them may go now: each takes one whole token, and at least {@code reserve} tokens remain
     */
    public static int grant(double tokens, int reserve, int wanted) {
        if (reserve < 0 || wanted < 0) {
            throw new IllegalArgumentException("reserve and wanted must be >= 0, got " + reserve + "/" + wanted);
        }
        double spare = Math.floor(tokens - reserve);
        return (int) Math.max(0, Math.min(wanted, spare));
    }

    /**
     * As {@link #grant(double, int, int)}, with aging (see above).
     *
     * @param headWaitNanos how long the first waiter has waited without any waiter being served: since it came, or
     *     since the last call went, whichever is later
     * @param maxWaitNanos how long it may wait before it takes a token below the reserve
     * @return what lies above the reserve; else one call, if the first waiter has waited {@code maxWait} and the bucket
     *     holds a whole token
     */
    public static int grant(double tokens, int reserve, int wanted, long headWaitNanos, long maxWaitNanos) {
        checkWait(headWaitNanos, maxWaitNanos);
        int aboveReserve = grant(tokens, reserve, wanted);
        if (aboveReserve > 0 || headWaitNanos < maxWaitNanos) {
            return aboveReserve;
        }
        return grant(tokens, 0, Math.min(wanted, 1));
    }

    /**
     * @return nanoseconds until one more call may go at {@code refillPerSecond}: 0 when one may go now
     */
    public static long nanosUntilNext(double tokens, int reserve, double refillPerSecond) {
        double missing = reserve + 1 - tokens;
        return missing <= 0 ? 0 : (long) Math.ceil(missing * 1e9 / refillPerSecond);
    }

    /**
     * As {@link #nanosUntilNext(double, int, double)}, with aging: the sooner of a whole token above the reserve, and
     * the first waiter's {@code maxWait} (or a whole token in the bucket, if that comes later).
     */
    public static long nanosUntilNext(double tokens, int reserve, double refillPerSecond, long headWaitNanos,
            long maxWaitNanos) {
        checkWait(headWaitNanos, maxWaitNanos);
        long aged = Math.max(maxWaitNanos - headWaitNanos, nanosUntilNext(tokens, 0, refillPerSecond));
        return Math.min(nanosUntilNext(tokens, reserve, refillPerSecond), aged);
    }

    private static void checkWait(long headWaitNanos, long maxWaitNanos) {
        if (headWaitNanos < 0 || maxWaitNanos <= 0) {
            throw new IllegalArgumentException("the wait must be >= 0 and maxWait > 0, got " + headWaitNanos + "/"
                    + maxWaitNanos);
        }
    }
}
