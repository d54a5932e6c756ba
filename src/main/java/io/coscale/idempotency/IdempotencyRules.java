package io.coscale.idempotency;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * What a request under a key that is already reserved must do, decided from the stored record alone (the IETF
 * httpapi "Idempotency-Key" draft's rules). Pure: the caller reads the record, asks, and then makes the one
 * conditional write the verdict calls for, so that the store, not this replica, decides between racing requests.
 *
 * <p>The invariant the rules keep with the stores' conditional writes: for one key, at most one request at a time
 * sends jobs (the holder of the current IN_PROGRESS version), every send uses the job ids fixed when the key was
 * reserved, and once DONE nothing is sent again until the record expires.
 */
public final class IdempotencyRules {

    /** How long a client waits before repeating a request whose key another request holds. */
    public static final Duration IN_PROGRESS_RETRY_AFTER = Duration.ofSeconds(1);

    private IdempotencyRules() {
    }

    /** What to do; one of the records below. */
    public sealed interface Verdict {
    }

    /** No live record: reserve the key (put-if-absent) and send. */
    public record Reserve() implements Verdict {
    }

    /** The first request was answered: answer its body again, send nothing. */
    public record Replay(IdempotencyRecord done) implements Verdict {
    }

    /** The key was reserved by a different request: refuse (422), send nothing. */
    public record Reused() implements Verdict {
    }

    /** Another request holds the key and is alive: refuse for now (409), the client repeats after {@code retryAfter}. */
    public record InProgress(Duration retryAfter) implements Verdict {
    }

    /**
     * The holder died (its claim ran out) or its send had an unknown outcome: replace {@code current} with
     * {@code next} (conditional on {@code current}'s version) and send again with the same job ids.
     */
    public record TakeOver(IdempotencyRecord current, IdempotencyRecord next) implements Verdict {
    }

    /**
     * The verdict on a request with {@code fingerprint} at {@code now}, given the record found under its key.
     *
     * @param claim how long a request that takes the key over holds it
     */
    public static Verdict decide(Optional<IdempotencyRecord> found, String fingerprint, Instant now, Duration claim) {
        if (found.isEmpty() || found.get().expired(now)) {
            return new Reserve();
        }
        IdempotencyRecord record = found.get();
        if (!record.fingerprint().equals(fingerprint)) {
            return new Reused();
        }
        return switch (record.state()) {
            case DONE -> new Replay(record);
            case RETRYABLE -> new TakeOver(record, record.takenOver(now, claim));
            case IN_PROGRESS -> now.isBefore(record.claimUntil())
                    ? new InProgress(IN_PROGRESS_RETRY_AFTER)
                    : new TakeOver(record, record.takenOver(now, claim));
        };
    }
}
