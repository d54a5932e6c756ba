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
 *   <li>Before {@code readLag} has passed since start-up, a read may not yet show what a coscale that ran before
 *       wrote: the belief is {@link #settled} only once it comes from a write of this one, or from a read that began
 *       after that time. Lowering a count needs a settled belief.</li>
 * </ul>
 */
public final class CountBelief {

    private final long startNanos;
    private final long readLagNanos;
    private Integer value;
    private long lastWriteNanos;
    private boolean wroteOnce;
    private boolean settled;

    public CountBelief(long startNanos, long readLagNanos) {
        this.startNanos = startNanos;
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
        if (value != null && value != observed && wroteOnce && readStartNanos - lastWriteNanos < readLagNanos) {
            return false;
        }
        value = observed;
        settled |= readStartNanos - startNanos >= readLagNanos;
        return true;
    }

    /** coscale set the count to {@code to}, ECS said so, at {@code nowNanos}. */
    public void wrote(int to, long nowNanos) {
        value = to;
        lastWriteNanos = nowNanos;
        wroteOnce = true;
        settled = true;
    }

    /** Whether the count may be lowered from this belief: see the class comment. */
    public boolean settled() {
        return settled && value != null;
    }
}
