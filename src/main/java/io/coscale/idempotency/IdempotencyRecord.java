package io.coscale.idempotency;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * What the store keeps under one {@link IdempotencyKey}. Every change makes a new record with a higher
 * {@code version}, and the stores write it only over the version it was made from, so two requests can never both
 * believe they moved the same record on.
 *
 * @param key         the key and its pool
 * @param fingerprint the SHA-256 of the request that reserved the key; a repeat must have the same
 * @param state       see {@link State}
 * @param jobIds      the ids coscale gave the request's jobs when it reserved the key (for a batch, those of the
 *                    entries it sends, in order); every send under this key uses them
 * @param status      the first answer's HTTP status once {@link State#DONE}; 0 before
 * @param body        the first answer's JSON body once {@link State#DONE}; null before
 * @param version     1 when reserved, one more at each change
 * @param claimUntil  while {@link State#IN_PROGRESS}: until when the request that holds it is presumed alive
 * @param expiresAt   when the record stops counting: a read at or after it finds nothing
 */
public record IdempotencyRecord(IdempotencyKey key, String fingerprint, State state, List<String> jobIds, int status,
        String body, long version, Instant claimUntil, Instant expiresAt) {

    /** Where a submission under the key stands. */
    public enum State {
        /** A request holds the key and is sending its jobs; nothing is known of the outcome yet. */
        IN_PROGRESS,
        /** A send failed after SQS had the jobs (502): they may be enqueued; the next repeat sends them again. */
        RETRYABLE,
        /** The jobs were accepted: repeats get {@code body} again and enqueue nothing. */
        DONE
    }

    public IdempotencyRecord {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(fingerprint, "fingerprint");
        Objects.requireNonNull(state, "state");
        jobIds = List.copyOf(jobIds);
        Objects.requireNonNull(claimUntil, "claimUntil");
        Objects.requireNonNull(expiresAt, "expiresAt");
        if ((state == State.DONE) != (body != null)) {
            throw new IllegalArgumentException("a record has a body exactly when it is DONE");
        }
    }

    /** The record of a request that reserves {@code key} at {@code now}: held for {@code claim}, kept for {@code ttl}. */
    public static IdempotencyRecord reserve(IdempotencyKey key, String fingerprint, List<String> jobIds, Instant now,
            Duration claim, Duration ttl) {
        return new IdempotencyRecord(key, fingerprint, State.IN_PROGRESS, jobIds, 0, null, 1, now.plus(claim),
                now.plus(ttl));
    }

    /** Whether the record no longer counts at {@code now}. */
    public boolean expired(Instant now) {
        return !now.isBefore(expiresAt);
    }

    /** This record held afresh by a request that takes it over at {@code now}: the same job ids, a new claim. */
    public IdempotencyRecord takenOver(Instant now, Duration claim) {
        return new IdempotencyRecord(key, fingerprint, State.IN_PROGRESS, jobIds, 0, null, version + 1, now.plus(claim),
                expiresAt);
    }

    /** The first answer, kept for {@code ttl} from {@code now} (the acceptance). */
    public IdempotencyRecord done(int status, String body, Instant now, Duration ttl) {
        return new IdempotencyRecord(key, fingerprint, State.DONE, jobIds, status, Objects.requireNonNull(body, "body"),
                version + 1, now, now.plus(ttl));
    }

    /** The outcome is unknown (SQS may have the jobs): the job ids stay, and the next repeat may send them again. */
    public IdempotencyRecord retryable(Instant now) {
        return new IdempotencyRecord(key, fingerprint, State.RETRYABLE, jobIds, 0, null, version + 1, now, expiresAt);
    }
}
