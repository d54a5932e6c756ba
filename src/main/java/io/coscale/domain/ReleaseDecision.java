package io.coscale.domain;

import java.util.Locale;
import java.util.Objects;

/**
 * What coscale tells a worker that found its queue empty and called {@code /v1/release} (SPEC §3).
 *
 * <p>A decision is a value: the caller carries it out (drop protection, lower the count) and replays the same
 * value to a repeated release of the same task, so the count is never lowered twice.
 *
 * @param kind what the worker must do
 * @param desiredCount the service's {@code desiredCount} after the decision is carried out
 * @param reason a short human sentence saying why, shown to the worker and in events
 */
public record ReleaseDecision(Kind kind, int desiredCount, String reason) {

    /** What the releasing worker does next. */
    public enum Kind {
        /** Protection is dropped, then {@code desiredCount} is lowered by one; the worker exits at once. */
        EXIT,
        /** Work is still there: keep polling; nothing was changed. */
        CONTINUE,
        /** The pool is at its floor: keep polling as warm capacity; protection is dropped, nothing else. */
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

    /** @throws IllegalArgumentException if the count is negative or the reason blank; NPE if kind is null */
    public ReleaseDecision {
        Objects.requireNonNull(kind, "kind");
        if (desiredCount < 0) {
            throw new IllegalArgumentException("desiredCount must be >= 0, got " + desiredCount);
        }
        if (reason == null || reason.isBlank()) {
            throw new IllegalArgumentException("a release decision needs a reason");
        }
    }

    /** The worker exits; {@code newDesired} is the lowered count the caller must set before answering. */
    public static ReleaseDecision exit(int newDesired, String reason) {
        return new ReleaseDecision(Kind.EXIT, newDesired, reason);
    }

    /** The worker keeps polling; {@code desiredCount} is the unchanged current count. */
    public static ReleaseDecision continueWorking(int desiredCount, String reason) {
        return new ReleaseDecision(Kind.CONTINUE, desiredCount, reason);
    }

    /** The worker stays as warm capacity; {@code desiredCount} is the unchanged current count. */
    public static ReleaseDecision stay(int desiredCount, String reason) {
        return new ReleaseDecision(Kind.STAY, desiredCount, reason);
    }

    /** True if carrying out this decision lowers {@code desiredCount}: only {@link Kind#EXIT} does. */
    public boolean lowersCount() {
        return kind == Kind.EXIT;
    }
}
