package io.coscale.api;

import io.coscale.api.problem.ApiException;
import io.coscale.concurrent.Futures;
import io.coscale.config.IdempotencyConfig;
import io.coscale.domain.OutgoingMessage;
import io.coscale.domain.Pool;
import io.coscale.idempotency.IdempotencyKey;
import io.coscale.idempotency.IdempotencyRecord;
import io.coscale.idempotency.IdempotencyRules;
import io.coscale.idempotency.IdempotencyStore;
import io.coscale.idempotency.IdempotencyStoreException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.jboss.logging.Logger;

/**
 * Submissions that carry an {@code Idempotency-Key}: the key is reserved in the {@link IdempotencyStore} with a
 * conditional put-if-absent <em>before</em> anything goes to SQS, and the store, shared by every replica, decides
 * between racing repeats ({@link IdempotencyRules}). The guarantees, for one pool and key within the record's life:
 * <ul>
 *   <li>at most one request sends at a time (the holder of the record's current version), and every send uses the
 *       job ids fixed when the key was first reserved, so a duplicate on the queue at worst carries the same
 *       {@code coscale-job-id};</li>
 *   <li>once a send was accepted, repeats with the same body get its 202 body again ({@value #REPLAYED}:
 *       true) and send nothing; a different body under the key is 422; a repeat while the first request is under way
 *       is 409 with Retry-After;</li>
 *   <li>a definite failure (400, 404, 413, 503: nothing enqueued) deletes the reservation, so a repeat sends; an
 *       unknown outcome (502) keeps the job ids and lets the next repeat send again with them.</li>
 * </ul>
 * Nothing waits: every step is a future, completed on the store's or SQS's threads. Requests without the header
 * never come here.
 */
@ApplicationScoped
public class IdempotentSubmissions {

    /** The response header that marks a replayed answer. */
    public static final String REPLAYED = "Idempotent-Replayed";

    private static final Logger LOG = Logger.getLogger(IdempotentSubmissions.class);
    /** Failures after which nothing can be on the queue: the reservation goes, and a repeat sends afresh. */
    private static final Set<Integer> NOTHING_ENQUEUED = Set.of(400, 404, 413, 503);
    /** Reservations tried when the record a failed put-if-absent met is gone by the time it is read. */
    private static final int RESERVE_ATTEMPTS = 3;

    private final IdempotencyStore store;
    private final Duration ttl;
    private final Duration claim;
    private final Clock clock;

    @Inject
    IdempotentSubmissions(IdempotencyStore store, IdempotencyConfig config) {
        this(store, config.ttl(), config.claim(), Clock.systemUTC());
    }

    IdempotentSubmissions(IdempotencyStore store, Duration ttl, Duration claim, Clock clock) {
        this.store = store;
        this.ttl = ttl;
        this.claim = claim;
        this.clock = clock;
    }

    /** A keyed submission's 202: its JSON body, and whether it is the first answer given again. */
    record Answer(String body, boolean replayed) {

        Response toResponse() {
            Response.ResponseBuilder response = Response.accepted(body).type(MediaType.APPLICATION_JSON_TYPE);
            return (replayed ? response.header(REPLAYED, "true") : response).build();
        }
    }

    /**
     * Sends under {@code key} at most as the rules allow. {@code send} is given the job ids to send with (the
     * ones of the first reservation of the key, which may be an earlier request's) and answers the 202 body, or
     * fails with the {@link ApiException} the client gets.
     *
     * @param jobIds the ids this request's jobs got, used if it is the first to reserve the key
     */
    CompletableFuture<Answer> submit(IdempotencyKey key, String fingerprint, List<String> jobIds,
            Function<List<String>, CompletionStage<String>> send) {
        IdempotencyRecord reservation = IdempotencyRecord.reserve(key, fingerprint, jobIds, clock.instant(), claim, ttl);
        return reserve(reservation, send, RESERVE_ATTEMPTS).exceptionallyCompose(failure -> {
            Throwable cause = Futures.cause(failure);
            // Only steps before the send reach here with a store failure: nothing was enqueued.
            return CompletableFuture.failedFuture(cause instanceof IdempotencyStoreException e
                    ? ApiException.unavailable("the idempotency store could not be asked: nothing was enqueued ("
                            + e.getMessage() + ")", IdempotencyRules.IN_PROGRESS_RETRY_AFTER)
                    : cause);
        });
    }

    private CompletableFuture<Answer> reserve(IdempotencyRecord reservation,
            Function<List<String>, CompletionStage<String>> send, int attempts) {
        Instant now = clock.instant();
        return store.create(reservation, now).thenCompose(created -> created
                ? send(reservation, send)
                : store.find(reservation.key(), now).thenCompose(found -> act(
                        IdempotencyRules.decide(found, reservation.fingerprint(), now, claim), reservation, send, attempts)));
    }

    private CompletableFuture<Answer> act(IdempotencyRules.Verdict verdict, IdempotencyRecord reservation,
            Function<List<String>, CompletionStage<String>> send, int attempts) {
        IdempotencyKey key = reservation.key();
        if (verdict instanceof IdempotencyRules.Replay replay) {
            return CompletableFuture.completedFuture(new Answer(replay.done().body(), true));
        }
        if (verdict instanceof IdempotencyRules.Reused) {
            return CompletableFuture.failedFuture(ApiException.idempotencyKeyReused("the Idempotency-Key '" + key.key()
                    + "' was used for a different request to pool '" + key.pool() + "': nothing was enqueued"));
        }
        if (verdict instanceof IdempotencyRules.InProgress inProgress) {
            return CompletableFuture.failedFuture(inProgress(key, inProgress.retryAfter()));
        }
        if (verdict instanceof IdempotencyRules.TakeOver takeOver) {
            return store.replace(takeOver.next(), takeOver.current().version()).thenCompose(won -> won
                    ? send(takeOver.next(), send)
                    : CompletableFuture.failedFuture(inProgress(key, IdempotencyRules.IN_PROGRESS_RETRY_AFTER)));
        }
        // Reserve: the record the put-if-absent met has expired or gone since; try again, a few times.
        return attempts > 1 ? reserve(reservation, send, attempts - 1)
                : CompletableFuture.failedFuture(inProgress(key, IdempotencyRules.IN_PROGRESS_RETRY_AFTER));
    }

    /** Sends as the holder of {@code held}, then settles the record by the outcome; answers as the send did. */
    private CompletableFuture<Answer> send(IdempotencyRecord held, Function<List<String>, CompletionStage<String>> send) {
        CompletableFuture<Answer> answer = new CompletableFuture<>();
        CompletionStage<String> sent;
        try {
            sent = send.apply(held.jobIds());
        } catch (RuntimeException e) {
            sent = CompletableFuture.failedFuture(e);
        }
        sent.whenComplete((body, failure) -> {
            if (failure == null) {
                // The answer waits for the record, so that a repeat right after it is replayed, not refused as 409.
                settle(store.replace(held.done(202, body, clock.instant(), ttl), held.version()), held, "marked DONE")
                        .whenComplete((ignored, e) -> answer.complete(new Answer(body, false)));
                return;
            }
            Throwable cause = Futures.cause(failure);
            boolean nothingEnqueued = cause instanceof ApiException api && NOTHING_ENQUEUED.contains(api.status());
            CompletableFuture<Boolean> settled = nothingEnqueued
                    ? store.delete(held.key(), held.version())
                    : store.replace(held.retryable(clock.instant()), held.version());
            settle(settled, held, nothingEnqueued ? "deleted" : "marked RETRYABLE")
                    .whenComplete((ignored, e) -> answer.completeExceptionally(cause));
        });
        return answer;
    }

    /**
     * The key a request that sent the header names: one value, as {@link IdempotencyKey#parse} reads it. A malformed
     * one (an empty one too: a client that sends the header counts on it), or the header sent twice, is 400 and
     * nothing is enqueued.
     */
    static IdempotencyKey key(String poolName, HttpHeaders headers) {
        List<String> values = headers.getRequestHeader(IdempotencyKey.HEADER);
        Optional<IdempotencyKey> key = values != null && values.size() == 1
                ? IdempotencyKey.parse(poolName, values.get(0)) : Optional.empty();
        return key.orElseThrow(() -> ApiException.badRequest(IdempotencyKey.HEADER + " must be one value of 1 to "
                + IdempotencyKey.MAX_LENGTH + " visible ASCII characters"));
    }

    /**
     * On a FIFO queue, each job without a deduplicationId of its own gets one derived from the key and its index in
     * the request, so that SQS drops a resend within its five minutes even if the key's record was lost.
     */
    static List<OutgoingMessage> deduplicated(String queueUrl, IdempotencyKey key, List<OutgoingMessage> jobs,
            int[] index) {
        if (!Pool.isFifo(queueUrl)) {
            return jobs;
        }
        List<OutgoingMessage> keyed = new ArrayList<>(jobs.size());
        for (int k = 0; k < jobs.size(); k++) {
            keyed.add(jobs.get(k).withDefaultDeduplicationId(RequestFingerprint.deduplicationId(key.pool(), key.key(), index[k])));
        }
        return keyed;
    }

    static List<String> jobIds(List<OutgoingMessage> jobs) {
        return jobs.stream().map(OutgoingMessage::jobId).toList();
    }

    /** The jobs under the ids their key was reserved with (the same jobs: the request's fingerprint matched). */
    static List<OutgoingMessage> withJobIds(List<OutgoingMessage> jobs, List<String> jobIds) {
        if (jobIds.size() != jobs.size()) {
            // Only if the limits changed between the two requests; the ids of this one are then the honest ones.
            return jobs;
        }
        List<OutgoingMessage> bound = new ArrayList<>(jobs.size());
        for (int k = 0; k < jobs.size(); k++) {
            bound.add(jobs.get(k).withJobId(jobIds.get(k)));
        }
        return bound;
    }

    /**
     * Logs a settling write that did not happen; it fails nothing, as the send's outcome is what the client gets.
     * Left IN_PROGRESS, the record is taken over by a repeat once its claim runs out, with the same job ids.
     */
    private static CompletableFuture<Void> settle(CompletableFuture<Boolean> write, IdempotencyRecord held, String to) {
        return write.handle((done, e) -> {
            if (e != null) {
                LOG.warnf("idempotency key %s: the record could not be %s (%s); a repeat after its claim runs out "
                        + "sends again with the same job ids", held.key().storageName(), to, Futures.cause(e).getMessage());
            } else if (!done) {
                LOG.warnf("idempotency key %s: the record changed before it could be %s: the claim ran out and another "
                        + "request took the key over", held.key().storageName(), to);
            }
            return null;
        });
    }

    private static ApiException inProgress(IdempotencyKey key, Duration retryAfter) {
        return ApiException.idempotencyKeyInProgress("a request with the Idempotency-Key '" + key.key() + "' is under "
                + "way in pool '" + key.pool() + "': repeat it after Retry-After seconds", retryAfter);
    }
}
