package io.coscale.concurrent;

/**
 * What the failed attempts of one retried call say about the call: whether any of them may have been acted on. A
 * retried call is as uncertain as its most uncertain attempt: once one attempt may have been acted on (a 5xx, a
 * timeout, a connection cut while the answer was awaited), the call may have been, whatever a later attempt met
 * (throttled, refused before it was applied). A failure that does not say ({@link TransientFailure} is how one says)
 * may have been acted on. A value, one per call: each failed attempt is folded in with {@link #after}.
 */
public record Attempts(boolean maybeApplied) {

    /** No attempt has failed yet. */
    public static final Attempts NONE = new Attempts(false);

    private static final Attempts MAYBE_APPLIED = new Attempts(true);

    /**
     * Whether a failed call (or attempt) may have been acted on: unless it is a {@link TransientFailure} that says it
     * surely was not. {@code failure} may be wrapped by a future ({@link Futures#cause}).
     */
    public static boolean maybeApplied(Throwable failure) {
        return !(Futures.cause(failure) instanceof TransientFailure f) || f.maybeApplied();
    }

    /** These attempts and one more, failed with {@code failure}. */
    public Attempts after(Throwable failure) {
        return maybeApplied || maybeApplied(failure) ? MAYBE_APPLIED : this;
    }

    /**
     * The call's failure, its last attempt having failed with {@code last} (folded in or not): {@code last} itself,
     * unless an earlier attempt may have been acted on and {@code last} says it surely was not — then {@code last}
     * marked maybe applied ({@link TransientFailure#maybeAppliedEarlier}).
     */
    public Throwable failure(Throwable last) {
        Throwable cause = Futures.cause(last);
        return maybeApplied && cause instanceof TransientFailure f && !f.maybeApplied() ? f.maybeAppliedEarlier() : cause;
    }
}
