package io.coscale.domain;

import java.util.HashSet;
import java.util.Set;

/**
 * The message groups of a FIFO pool that have work. A FIFO queue hands out one group's messages one at a time, so
 * tasks beyond the number of groups with work would find nothing: a pool of one group works one job at a time
 * whatever its size. coscale knows the groups of the jobs it accepted; SQS does not tell them. Not thread-safe: its
 * owner guards it.
 *
 * <p>The estimate never undercounts groups coscale accepted jobs for: a group is forgotten only when the queue is
 * seen empty with nothing accepted since ({@link #clear}). It may overcount (a group whose jobs are done stays until
 * then), which costs a task that finds nothing and releases, never a job left waiting. Jobs sent to the queue by
 * others, or before a restart, carry groups coscale never saw: while it knows of none, or of too many to track, it
 * does not limit the count at all.
 */
public final class MessageGroups {

    static final int TRACKED = 100_000;

    private final Set<String> groups = new HashSet<>();
    private boolean overflowed;

    /** A job of {@code group} was accepted. */
    public void accepted(String group) {
        if (overflowed) {
            return;
        }
        groups.add(group);
        if (groups.size() > TRACKED) {
            groups.clear();
            overflowed = true;
        }
    }

    /** The queue was seen empty with nothing accepted since: no group has work. */
    public void clear() {
        groups.clear();
        overflowed = false;
    }

    /** How many tasks {@code outstanding} jobs can keep busy: no more than the groups with work, when known. */
    public long limit(long outstanding) {
        return overflowed || groups.isEmpty() ? outstanding : Math.min(outstanding, groups.size());
    }
}
