package io.coscale.domain;

/**
 * What coscale takes a service's {@code desiredCount} to be, given its own writes and ECS's reads, which are
 * eventually consistent: a read may show a value up to {@code readLag} older than a write. Not thread-safe: its
 * owner guards it. Times are {@link System#nanoTime()} values, passed in.
 *
 * <p>Rules:
 * <ul>
 *   <li>A read that began less than {@code readLag} after coscale's last write may predate it: coscale's own value
 *       stands (a stale read never overrides a change coscale made itself).</li>
 *   <li>Any other read is the truth and is taken (somebody else may have set the count, or a write that seemed to
 *       fail was applied).</li>
 *   <li>ECS may hold a count this belief does not know from two moments on: start-up (a coscale that ran before may
 *       have written), and a write of coscale's own whose outcome is unknown ({@link #writeUnknown}: applied or not,
 *       its answer was lost). From then the belief is not {@link #settled}, and every read is taken as the best
 *       guess, until a read that began {@code readLag} after that moment, or a write ECS confirmed (it sets an
 *       absolute value known to be applied). Lowering a count needs a settled belief: an exit's decrement is
 *       computed from a count known to match ECS.</li>
 * </ul>
 */
public final class CountBelief {

    private final long readLagNanos;
    /** Since when ECS may hold a count this belief does not know: start-up, or the last write of unknown outcome. */
    private long unsureSinceNanos;
    private Integer value;
    private long lastWriteNanos;
    private boolean wroteOnce;
    private boolean settled;
    /** Whether the belief is unsettled by a write of unknown outcome, not by the start. */
    private boolean writeLost;

    public CountBelief(long startNanos, long readLagNanos) {
        this.unsureSinceNanos = startNanos;
        this.readLagNanos = readLagNanos;
    }

    /** The believed count; null until the first read or write. */
    public Integer value() {
        return value;
    }

    /**
     * A read of ECS's count that began at {@code readStartNanos}.
     *
     * @return whether it was taken in
     */
    public boolean read(int observed, long readStartNanos) {
        if (settled && value != observed && wroteOnce && readStartNanos - lastWriteNanos < readLagNanos) {
            return false;
        }
        value = observed;
        settled |= readStartNanos - unsureSinceNanos >= readLagNanos;
        writeLost &= !settled;
        return true;
    }

    /** coscale set the count to {@code to}, ECS said so, at {@code nowNanos}. */
    public void wrote(int to, long nowNanos) {
        value = to;
        lastWriteNanos = nowNanos;
        wroteOnce = true;
        settled = true;
        writeLost = false;
    }

    /**
     * coscale asked ECS to set the count and does not know whether it did (a 5xx, a timeout or a cut connection after
     * ECS had the request), at {@code nowNanos}: the count is not settled until a read that began {@code readLag}
     * later, or a write ECS confirms. The value stays as the best guess of what ECS holds.
     */
    public void writeUnknown(long nowNanos) {
        settled = false;
        writeLost = true;
        unsureSinceNanos = nowNanos;
    }

    /** Whether the count is not settled because a write's outcome is unknown ({@link #writeUnknown}), not since the start. */
    public boolean writeLost() {
        return writeLost;
    }

    /** Whether the count may be lowered from this belief: see the class comment. */
    public boolean settled() {
        return settled && value != null;
    }
}
