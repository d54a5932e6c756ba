package io.coscale.domain;

/**
 * How many calls that must leave a reserve in a token bucket may go now. coscale's protection take-over (one ListTasks
 * per pool after a start-up or a lease takeover) spends from the same ECS read budget as the DescribeTasks calls that
 * answer workers' claims; the take-over may only spend what lies above the reserve, so that a claim always finds
 * tokens. Pure: the bucket's level is passed in. A reserve of 0 is an ordinary token bucket (one call per whole token).
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
     * @return nanoseconds until one more call may go at {@code refillPerSecond}: 0 when one may go now
     */
    public static long nanosUntilNext(double tokens, int reserve, double refillPerSecond) {
        double missing = reserve + 1 - tokens;
        return missing <= 0 ? 0 : (long) Math.ceil(missing * 1e9 / refillPerSecond);
    }
}
