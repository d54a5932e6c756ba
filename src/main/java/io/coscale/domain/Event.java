package io.coscale.domain;

import java.time.Instant;
import java.util.Locale;
import java.util.Objects;

/**
 * One change coscale made to a pool, or one failure: what an operator reads (newest first on
 * {@code /v1/pools/{pool}/events}) to learn why {@code desiredCount} moved.
 *
 * @param at when it happened
 * @param kind what sort of change it was
 * <p>{@code from} and {@code to} are always {@code desiredCount}s, so that a reader can follow the count down the
 * list without asking what a number means. Protection and error events change no count: theirs are null, and their
 * reason names the task or the call instead. (A protected-task count would be a second meaning for the same two
 * fields; {@code GET /v1/pools/{pool}} shows {@code protectedTasks}.)
 *
 * @param from the {@code desiredCount} before; null for protection and error events, which change no count
 * @param to the {@code desiredCount} after; null for protection and error events
 * @param reason a short human sentence saying why
 */
public record Event(Instant at, Kind kind, Integer from, Integer to, String reason) {

    /** What sort of change an event records. */
    public enum Kind {
        /** A submission (or batch of them) raised the count. */
        SCALE_UP,
        /** A worker's release lowered the count by one. */
        RELEASE,
        /** The reconciler corrected the count toward its target or bounds. */
        RECONCILE,
        /** Scale-in protection of a task was set, renewed or dropped. */
        PROTECTION,
        /** A call failed for good; the same text goes to the pool's {@code lastError}. */
        ERROR,
        /** More failed jobs reached the pool's dead-letter queue since coscale last looked; the reason says how many. */
        DEAD_LETTER,
        /**
         * A task coscale knew (claimed, protected) stopped without coscale letting it exit: a Spot interruption, a
         * host retirement, an out-of-memory kill, a crash. The reason names the task, ECS's stopCode and its reason.
         */
        TASK_STOPPED;

        /** The JSON name, lower-kebab: {@code "scale-up"}, {@code "release"}, {@code "reconcile"}, … */
        public String wireName() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }

        @Override
        public String toString() {
            return wireName();
        }
    }

    /** @throws NullPointerException if {@code at}, {@code kind} or {@code reason} is null */
    public Event {
        Objects.requireNonNull(at, "at");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(reason, "reason");
    }

    /** The count was raised from {@code from} to {@code to} because work was submitted. */
    public static Event scaleUp(Instant at, int from, int to, String reason) {
        return new Event(at, Kind.SCALE_UP, from, to, reason);
    }

    /** A release lowered the count from {@code from} to {@code to} (normally {@code from - 1}). */
    public static Event release(Instant at, int from, int to, String reason) {
        return new Event(at, Kind.RELEASE, from, to, reason);
    }

    /** The reconciler set the count from {@code from} to {@code to}. */
    public static Event reconcile(Instant at, int from, int to, String reason) {
        return new Event(at, Kind.RECONCILE, from, to, reason);
    }

    /**
     * A protection change, e.g. "protected 1a2b… until 2026-01-01T12:00:00Z". It changes no count: {@code from} and
     * {@code to} are both the desiredCount it was made under (null before the count is known), so the event list
     * still reads as the count's history.
     */
    public static Event protection(Instant at, Integer desiredCount, String reason) {
        return new Event(at, Kind.PROTECTION, desiredCount, desiredCount, reason);
    }

    /**
     * A task stopped for another reason than coscale's exit, e.g. "task 1a2b… stopped by ECS: SpotInterruption (Your
     * Spot Task was interrupted.)". coscale changed no count for it (ECS replaces the task): {@code from} and {@code
     * to} are both the desiredCount (null before the count is known).
     */
    public static Event taskStopped(Instant at, Integer desiredCount, String reason) {
        return new Event(at, Kind.TASK_STOPPED, desiredCount, desiredCount, reason);
    }

    /** Failed jobs reached the dead-letter queue, e.g. "2 more failed jobs in dead-letter queue jobs-dlq (5 now)". */
    public static Event deadLetter(Instant at, String reason) {
        return new Event(at, Kind.DEAD_LETTER, null, null, reason);
    }

    /** A terminal failure, e.g. "scale-up: AccessDenied"; changes no count, so carries none. */
    public static Event error(Instant at, String reason) {
        return new Event(at, Kind.ERROR, null, null, reason);
    }
}
