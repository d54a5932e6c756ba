package io.coscale.control;

import java.time.Instant;

/** The answer to a claim: whether the task is now protected from scale-in, and until when. */
public record ClaimResult(String pool, boolean isProtected, Instant expiresAt) {
}
