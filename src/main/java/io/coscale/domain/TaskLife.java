package io.coscale.domain;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * What coscale knows of one task, as one value: whether it is busy (claimed since its last empty poll), until when
 * coscale protected it, and how far its exit has gone. Every change is an {@link Change} given to {@link #on}; the
 * value itself never changes.
 *
 * <p>The exit runs {@link Stage#RUNNING} → {@link Stage#EXITING} (a release is letting it exit: a claim no longer
 * protects it, so a heartbeat racing the release cannot undo the unprotect that precedes the decrement) →
 * {@link Stage#RECORDED} (the exit is recorded on the task: the count is lowered for it, or about to be, or its
 * UpdateService went unanswered) → {@link Stage#EXITED} (the decision is remembered, so a repeated release answers the
 * same). An exit that failed before its record was sent goes back to {@code RUNNING} with its protection unknown (ECS
 * may have applied the unprotect whose answer was lost: {@code protectionUnknown}), so that the next claim, release or
 * renewal protects it again with ECS before anything else. One whose record was sent but not confirmed (the answer
 * lost) is {@link Stage#RECORD_UNKNOWN}: the record may be on the task, so the exit is kept, and a repeated release
 * records it again before it finishes it. One that failed after its record stays {@code RECORDED}, and a repeated
 * release finishes it without deciding again.
 *
 * @param busySince when the task claimed since its last empty poll; null when it is not busy
 * @param protectedUntil until when coscale's protection of the task holds, as ECS last confirmed it; null when coscale
 *        holds none
 * @param stage how far the task's exit has gone
 * @param exit the decision the task's exit carries out; null unless {@link Stage#RECORD_UNKNOWN},
 *        {@link Stage#RECORDED} or {@link Stage#EXITED}
 * @param protectionUnknown whether ECS may have dropped the task's protection without coscale knowing (an exit
 *        abandoned after its unprotect was sent): the next claim, release or renewal protects it with ECS before
 *        anything else; {@code protectedUntil} is then null
 */
public record TaskLife(Instant busySince, Instant protectedUntil, Stage stage, ReleaseDecision exit,
        boolean protectionUnknown) {

    /** A task coscale knows nothing of. */
    public static final TaskLife UNKNOWN = new TaskLife(null, null, Stage.RUNNING, null);

    /** How far a task's exit has gone. */
    public enum Stage {
        /** No release is letting it exit. */
        RUNNING,
        /** A release is letting it exit: unprotecting it, recording the exit. */
        EXITING,
        /**
         * Its exit record was sent and ECS's answer lost (a 5xx, a timeout, a cut connection): the record may be on the
         * task, and a release that decided afresh could record another. A repeated release never decides again from
         * here: it writes the same record again, then finishes the exit as {@link #RECORDED}.
         */
        RECORD_UNKNOWN,
        /**
         * Its exit is recorded on the task: the count is lowered for it, being lowered, or its UpdateService went
         * unanswered. A repeated release never decides again from here: it finishes this exit.
         */
        RECORDED,
        /** It was told to exit. */
        EXITED
    }

    /** @throws IllegalArgumentException if a recorded or exited task has no decision or another stage has one */
    public TaskLife {
        Objects.requireNonNull(stage, "stage");
        if ((stage == Stage.EXITED || stage == Stage.RECORDED || stage == Stage.RECORD_UNKNOWN) != (exit != null)) {
            throw new IllegalArgumentException("a recorded or exited task, and only such a one, has its exit decision");
        }
        if (protectionUnknown && protectedUntil != null) {
            throw new IllegalArgumentException("a protection coscale does not know has no expiry");
        }
    }

    /** A life whose protection is known: {@code protectedUntil}, or none. */
    public TaskLife(Instant busySince, Instant protectedUntil, Stage stage, ReleaseDecision exit) {
        this(busySince, protectedUntil, stage, exit, false);
    }

    /** Something that happened to a task. */
    public sealed interface Change {
    }

    /** The task claimed: busy from {@code now}, unless it already was or is being let exit. */
    public record Claimed(Instant now) implements Change {
    }

    /** ECS refused to protect a task this claim marked busy: it is no live task, and the refused claim changes nothing. */
    public record ClaimRefused() implements Change {
    }

    /** The task found no work: no longer busy. Its protection stays until it is told to exit. */
    public record Idle() implements Change {
    }

    /** ECS confirmed the task's protection until {@code until}; an answer that lands after the exit began is moot. */
    public record Protected(Instant until) implements Change {
    }

    /**
     * A coscale that is gone protected the task until {@code until}, as ECS reports it: held here too, unless the task
     * is being let exit or coscale already holds a protection of its own for it.
     */
    public record Adopted(Instant until) implements Change {
    }

    /** ECS confirmed the protection dropped, or refused to renew it (the task is stopping). */
    public record Unprotected() implements Change {
    }

    /** A release is letting the task exit. */
    public record ExitStarted() implements Change {
    }

    /** The exit is recorded on the task with {@code decision}; the count is to be lowered for it. */
    public record Recorded(ReleaseDecision decision) implements Change {
    }

    /** The exit record {@code decision} was sent and ECS's answer lost: it may be on the task. */
    public record RecordUnknown(ReleaseDecision decision) implements Change {
    }

    /**
     * The exit failed (ECS did not answer; the worker retries its release). Before its record: an ordinary task
     * again, whose protection is unknown (ECS may have applied the unprotect), so the next claim asks ECS. After its
     * record: still recorded.
     */
    public record ExitAbandoned() implements Change {
    }

    /** The task was told to exit with {@code decision}. */
    public record Exited(ReleaseDecision decision) implements Change {
    }

    /**
     * ECS reports the task stopped. Only an exit in progress (exiting, its record unknown, or recorded) is kept, for the
     * release carrying it out to finish.
     */
    public record Stopped() implements Change {
    }

    /**
     * This replica takes the lease over: the last leader may have changed busy and protected tasks since, so both are
     * forgotten (and taken over again from ECS); how far exits have gone stays known.
     */
    public record LeaseTaken() implements Change {
    }

    /** The task's life after {@code change}. */
    public TaskLife on(Change change) {
        if (change instanceof Claimed c) {
            return lettingGo() || busySince != null ? this
                    : new TaskLife(c.now(), protectedUntil, stage, exit, protectionUnknown);
        } else if (change instanceof ClaimRefused || change instanceof Idle) {
            return new TaskLife(null, protectedUntil, stage, exit, protectionUnknown);
        } else if (change instanceof Protected p) {
            return lettingGo() ? this : new TaskLife(busySince, p.until(), stage, exit);
        } else if (change instanceof Adopted a) {
            return lettingGo() || protectedUntil != null || protectionUnknown ? this
                    : new TaskLife(busySince, a.until(), stage, exit);
        } else if (change instanceof Unprotected) {
            return new TaskLife(busySince, null, stage, exit);
        } else if (change instanceof ExitStarted) {
            return stage != Stage.RUNNING ? this
                    : new TaskLife(busySince, protectedUntil, Stage.EXITING, null, protectionUnknown);
        } else if (change instanceof Recorded r) {
            return stage == Stage.EXITING || stage == Stage.RECORD_UNKNOWN
                    ? new TaskLife(busySince, protectedUntil, Stage.RECORDED, r.decision(), protectionUnknown) : this;
        } else if (change instanceof RecordUnknown r) {
            return stage == Stage.EXITING
                    ? new TaskLife(busySince, protectedUntil, Stage.RECORD_UNKNOWN, r.decision(), protectionUnknown) : this;
        } else if (change instanceof ExitAbandoned) {
            return stage == Stage.EXITING ? new TaskLife(busySince, null, Stage.RUNNING, null, true) : this;
        } else if (change instanceof Exited x) {
            return new TaskLife(null, null, Stage.EXITED, x.decision());
        } else if (change instanceof Stopped) {
            return stage == Stage.EXITING || stage == Stage.RECORD_UNKNOWN || stage == Stage.RECORDED
                    ? new TaskLife(null, null, stage, exit) : UNKNOWN;
        } else if (change instanceof LeaseTaken) {
            return new TaskLife(null, null, stage, exit, protectionUnknown);
        }
        throw new IllegalArgumentException("unknown change " + change);
    }

    /** Whether a release is letting the task exit or has: a claim then protects nothing and tells it to drain. */
    public boolean lettingGo() {
        return stage != Stage.RUNNING;
    }

    /** Whether there is nothing to remember of the task: it may be forgotten. */
    public boolean isBlank() {
        return equals(UNKNOWN);
    }

    /** Whether the task is busy. */
    public boolean isBusy() {
        return busySince != null;
    }

    /** Whether coscale's protection of the task still holds at {@code now}. */
    public boolean protectedAt(Instant now) {
        return protectedUntil != null && protectedUntil.isAfter(now);
    }

    /**
     * Whether a claim (a heartbeat) protects the task again: when coscale holds no protection for it, or once a quarter
     * of a protection {@code length} long has passed, so that protection costs ECS calls per task, not per job.
     */
    public boolean claimRenews(Instant now, Duration length) {
        return protectedUntil == null || renewDue(now, length.multipliedBy(3).dividedBy(4));
    }

    /**
     * Whether the renewal on its own schedule renews the task's protection: when it lapses within a quarter of a
     * protection {@code length} long, or when it is unknown.
     */
    public boolean scheduleRenews(Instant now, Duration length) {
        return protectionUnknown || protectedUntil != null && renewDue(now, length.dividedBy(4));
    }

    /** The one renewal rule: a protection is renewed when no more than {@code left} of it remains. */
    private boolean renewDue(Instant now, Duration left) {
        return !protectedUntil.isAfter(now.plus(left));
    }
}
