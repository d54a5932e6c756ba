package io.coscale.control;

import java.time.Instant;

/**
 * The answer to a claim: whether the task is now protected from scale-in, and until when; and whether it must
 * drain (release after its current job instead of polling again): a task of an older deployment, or one already
 * told to exit.
 */
public record ClaimResult(String pool, boolean isProtected, Instant expiresAt, boolean drain) {
}
