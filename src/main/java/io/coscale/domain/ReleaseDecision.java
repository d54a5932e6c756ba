package io.coscale.domain;

import java.util.Locale;
import java.util.Objects;

/**
 * What coscale tells a worker that found its queue empty and called {@code /v1/release} (docs/API.md, "Release").
 *
 * <p>A decision is a value: the caller carries it out (drop protection, lower the count) and replays the same
 * value to a repeated release of the same task, so the count is never lowered twice.
 *
 * @param kind what the worker must do
 * @param desiredCount the service's {@code desiredCount} after the decision is carried out
 * @param reason a short human sentence saying why, shown to the worker and in events
 * @param lowersCount whether carrying it out lowers {@code desiredCount} (to {@code desiredCount}): every
 *        {@link Kind#EXIT} but a drained task's, which ECS replaces with a task of the new deployment
 */
public record ReleaseDecision(Kind kind, int desiredCount, String reason, boolean lowersCount) {

    /** What the releasing worker does next. */
    public enum Kind {
        /**
         * Protection is dropped, then {@code desiredCount} is lowered by one (not for a task of an older deployment,
         * which ECS replaces); the worker exits at once.
         */
        EXIT,
        /** Work is still there: keep polling; nothing was changed. */
        CONTINUE,
        /** The pool is at its floor: keep polling as warm capacity; nothing changes (protection is kept). */
        STAY;

        /** The JSON name: {@code "exit"}, {@code "continue"} or {@code "stay"}. */
        public String wireName() {
            return name().toLowerCase(Locale.ROOT);
        }

        @Override
        public String toString() {
            return wireName();
        }
    }

    /** @throws IllegalArgumentException if the count is negative, the reason blank, or a non-exit lowers; NPE if kind is null */
    public ReleaseDecision {
        Objects.requireNonNull(kind, "kind");
        if (lowersCount && kind != Kind.EXIT) {
            throw new IllegalArgumentException("only an exit lowers the count");
        }
        if (desiredCount < 0) {
            throw new IllegalArgumentException("desiredCount must be >= 0, got " + desiredCount);
        }
        if (reason == null || reason.isBlank()) {
            throw new IllegalArgumentException("a release decision needs a reason");
        }
    }

    /** A decision that lowers the count exactly when it is an exit. */
    public ReleaseDecision(Kind kind, int desiredCount, String reason) {
        this(kind, desiredCount, reason, kind == Kind.EXIT);
    }

    /** The worker exits; {@code newDesired} is the lowered count the caller must set before answering. */
    public static ReleaseDecision exit(int newDesired, String reason) {
        return new ReleaseDecision(Kind.EXIT, newDesired, reason, true);
    }

    /**
     * The task exits and the count stays at {@code desiredCount}: a task of an older deployment (ECS replaces it with
     * one of the service's PRIMARY deployment), or one the count no longer covers.
     */
    public static ReleaseDecision drain(int desiredCount, String reason) {
        return new ReleaseDecision(Kind.EXIT, desiredCount, reason, false);
    }

    /**
     * The same exit again, for a task whose exit is recorded on it (by a coscale that is gone): it set the count to
     * {@code recorded}, which is not lowered again.
     *
     * @throws IllegalArgumentException if {@code recorded} is not a count
     */
    public static ReleaseDecision replay(String recorded) {
        int count;
        try {
            count = Integer.parseInt(recorded.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("an exit record is a count, got '" + recorded + "'", e);
        }
        return new ReleaseDecision(Kind.EXIT, count, "told to exit before (recorded on the task): the count is not "
                + "lowered again", false);
    }

    /** The worker keeps polling; {@code desiredCount} is the unchanged current count. */
    public static ReleaseDecision continueWorking(int desiredCount, String reason) {
        return new ReleaseDecision(Kind.CONTINUE, desiredCount, reason);
    }

    /** The worker stays as warm capacity; {@code desiredCount} is the unchanged current count. */
    public static ReleaseDecision stay(int desiredCount, String reason) {
        return new ReleaseDecision(Kind.STAY, desiredCount, reason);
    }
}
