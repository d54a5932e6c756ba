package io.coscale.domain;

import java.time.Duration;
import java.time.Instant;

/**
 * A pool's work as coscale knows it: the last queue depth SQS reported, plus the jobs coscale accepted since that
 * read began. Not thread-safe: its owner guards it.
 *
 * <p>The mark: {@link #mark()} is taken just before the queue is read. Every job accepted before the mark is in SQS
 * by then, so in the depth read after it; a job accepted after the mark may not be, and stays counted on top of the
 * depth until a read that began after it comes in. A read that began before the last one taken in is older news and
 * is dropped, so answers that arrive out of order never step back.
 *
 * <p>Only the leader reads the queue; a follower counts the jobs it accepts and passes them on to the leader, which
 * scales for them. On taking the lease over ({@link #restart()}) what it knew is no news: the backlog counts from the
 * take-over, on top of no depth, until the first read that began after it.
 */
public final class Backlog {

    private QueueDepth depth = QueueDepth.EMPTY;
    private Instant emptySince;
    /** Jobs accepted since start. */
    private long accepted;
    /** {@code accepted} just before {@code depth} was read. */
    private long acceptedAtRead;

    /**
     * Begins to count afresh (a lease take-over): the last depth and the jobs accepted before now are forgotten, and a
     * read marked before any of them is dropped when it comes in. Else every job accepted as a follower since start would
     * count as waiting, on top of a queue the last leader may have emptied.
     */
    public void restart() {
        depth = QueueDepth.EMPTY;
        emptySince = null;
        acceptedAtRead = accepted;
    }

    /** Counts jobs SQS accepted. */
    public void accepted(long count) {
        accepted += count;
    }

    /** Take just before reading the queue; give it back with the depth read. */
    public long mark() {
        return accepted;
    }

    /**
     * Takes in a depth read after {@code mark}; an older read than the one already in is ignored.
     *
     * @return whether it was taken in
     */
    public boolean observe(QueueDepth observed, long mark, Instant now) {
        if (mark < acceptedAtRead) {
            return false;
        }
        depth = observed;
        acceptedAtRead = mark;
        if (!observed.isEmpty()) {
            emptySince = null;
        } else if (emptySince == null) {
            emptySince = now;
        }
        return true;
    }

    /** Jobs accepted after {@code mark}: work SQS's depth read after the mark may not show. */
    public long acceptedSince(long mark) {
        return accepted - mark;
    }

    /** The last depth read, with the jobs accepted since that read began counted as visible: what a rule should see. */
    public QueueDepth depth() {
        long since = accepted - acceptedAtRead;
        return since == 0 ? depth : new QueueDepth(depth.visible() + since, depth.inFlight(), depth.delayed());
    }

    /** The last depth SQS reported, as it reported it. */
    public QueueDepth lastRead() {
        return depth;
    }

    /** Jobs that need or hold a task, in flight counted only as far as {@code holdable} (see {@link QueueDepth}). */
    public long outstanding(long holdable) {
        return depth().outstanding(holdable);
    }

    /** How long the queue has been empty, by the reads, with nothing accepted since: zero if it is not. */
    public Duration emptyFor(Instant now) {
        if (emptySince == null || accepted != acceptedAtRead || now.isBefore(emptySince)) {
            return Duration.ZERO;
        }
        return Duration.between(emptySince, now);
    }
}
