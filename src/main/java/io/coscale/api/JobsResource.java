package io.coscale.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.coscale.api.openapi.CoscaleApiDefinition;
import io.coscale.api.openapi.JobRequests;
import io.coscale.api.problem.ApiException;
import io.coscale.concurrent.Futures;
import io.coscale.config.JobsConfig;
import io.coscale.control.ControlMetrics;
import io.coscale.control.Intake;
import io.coscale.control.PoolController;
import io.coscale.control.Pools;
import io.coscale.control.Submitted;
import io.coscale.domain.OutgoingMessage;
import io.coscale.domain.SubmissionVerdict;
import io.coscale.idempotency.IdempotencyKey;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.ParameterIn;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.headers.Header;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * Job submission: each job goes onto the pool's SQS queue, and only once SQS has accepted it does coscale
 * answer 202 and count it toward the pool's scale-up. A job SQS did not accept is never acknowledged, and a 503
 * means the job was not enqueued: a single job waiting its turn is withdrawn before coscale gives up on it.
 */
@Path("/v1/pools/{pool}")
@Consumes(MediaType.APPLICATION_JSON)
@Produces(MediaType.APPLICATION_JSON)
@SecurityRequirement(name = CoscaleApiDefinition.BEARER)
@Tag(name = CoscaleApiDefinition.JOBS)
public class JobsResource {

    static final int MAX_BATCH = 100;
    static final String IDEMPOTENCY_KEY_DOC = "Makes retries safe: 1 to 255 visible ASCII characters (bare, or quoted as a "
            + "structured-field string), unique per submission within the pool. A repeat with the same key and body within "
            + "coscale.idempotency.ttl (24 h) answers the first 202 again and enqueues nothing.";
    static final String REPLAYED_DOC = "\"true\" when the answer is the first answer to this Idempotency-Key, given again";
    static final String CONFLICT_DOC = "Another request with this Idempotency-Key is under way (type idempotency-key-in-"
            + "progress); nothing enqueued by this one; repeat after Retry-After seconds";
    static final String UNPROCESSABLE_DOC = "A payload that is JSON null (type null-payload; in a batch, any entry's: "
            + "the batch is refused whole), or an Idempotency-Key used for a different request to this pool (type "
            + "idempotency-key-reused); nothing enqueued";
    private static final Duration RETRY_AFTER = Duration.ofSeconds(1);

    private final Pools plane;
    private final Intake intake;
    private final ControlMetrics metrics;
    private final JobParser parser;
    private final IdempotentSubmissions idempotent;
    private final ObjectMapper mapper;

    JobsResource(Pools plane, Intake intake, ControlMetrics metrics, JobsConfig config, IdempotentSubmissions idempotent,
            ObjectMapper mapper) {
        this.plane = plane;
        this.intake = intake;
        this.metrics = metrics;
        this.parser = new JobParser(Math.min(config.maxPayloadBytes(), 1024 * 1024));
        this.idempotent = idempotent;
        this.mapper = mapper;
    }

    /** The answer to one job: on the queue, and counted toward the pool's scale-up. */
    @Schema(name = "Accepted")
    public record Accepted(
            @Schema(description = "The job's id, also the message attribute coscale-job-id") String jobId,
            String pool,
            @Schema(description = "The pool's target count after this job (the scale-up call follows at once)")
            int desiredCount) {
    }

    /** The answer to a batch: each entry enqueued (its id) or failed (listed), never dropped. */
    @Schema(name = "BatchAccepted")
    public record BatchAccepted(
            @Schema(description = "One entry per submitted job, in order: its id, or null when it failed")
            List<String> jobIds,
            @Schema(description = "The jobs that were not enqueued, by index") List<Failed> failed,
            int desiredCount) {
    }

    /** A batch entry that was not enqueued: its position, a code and why. */
    public record Failed(
            @Schema(description = "Its position in jobs, from 0") int index,
            @Schema(description = "InvalidJob or PayloadTooLarge (coscale's checks), or SQS's error code") String code,
            String message) {
    }

    @POST
    @Path("/jobs")
    @Operation(summary = "Submit one job", description = "Enqueues the job on the pool's queue and raises desiredCount at"
            + " once. 202 only once SQS has accepted the job.")
    @RequestBody(required = true, content = @Content(mediaType = MediaType.APPLICATION_JSON,
            schema = @Schema(implementation = JobRequests.Job.class)))
    @APIResponse(responseCode = "202", description = "On the queue; the scale-up is under way. With an Idempotency-Key "
            + "already answered: the first answer again, nothing enqueued", headers = @Header(name = IdempotentSubmissions.REPLAYED,
            description = REPLAYED_DOC, schema = @Schema(type = SchemaType.STRING, enumeration = "true")),
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = Accepted.class)))
    @APIResponse(responseCode = "400", description = "Malformed JSON or an invalid field (the detail names it); nothing enqueued")
    @APIResponse(responseCode = "404", description = "No pool of this name")
    @APIResponse(responseCode = "409", description = CONFLICT_DOC)
    @APIResponse(responseCode = "413", description = "The payload is over coscale.jobs.max-payload-bytes (the detail "
            + "states it), or the body over quarkus.http.limits.max-body-size (10 MiB); nothing enqueued")
    @APIResponse(responseCode = "415", description = "The body is not application/json")
    @APIResponse(responseCode = "422", description = UNPROCESSABLE_DOC)
    @APIResponse(responseCode = "502", description = "SQS failed while it had the job (a 5xx, a timeout, a cut "
            + "connection): it may be enqueued, and a retry may enqueue it twice (with the same Idempotency-Key: "
            + "with the same jobId)")
    @APIResponse(responseCode = "503", description = "SQS (or the Idempotency-Key store) could not be reached or "
            + "refused: the job was not enqueued; retry after Retry-After seconds")
    @Parameter(name = IdempotencyKey.HEADER, in = ParameterIn.HEADER, description = IDEMPOTENCY_KEY_DOC,
            schema = @Schema(type = SchemaType.STRING, minLength = 1, maxLength = 255))
    public CompletionStage<Response> submit(@PathParam("pool") String poolName,
            @Context HttpHeaders headers, JsonNode job) {
        long start = System.nanoTime();
        PoolController pool = pool(poolName);
        Optional<IdempotencyKey> key = keyed(poolName, headers);
        OutgoingMessage message;
        try {
            message = parser.parse(job, pool.pool().queueUrl());
        } catch (JobParser.InvalidJob e) {
            throw switch (e.status) {
                case 413 -> ApiException.payloadTooLarge(e.getMessage());
                case 422 -> ApiException.nullPayload(e.getMessage());
                default -> ApiException.badRequest(e.getMessage());
            };
        }
        if (key.isEmpty()) {
            return answer(intake.submit(pool, message),
                    submitted -> Response.accepted(accepted(poolName, submitted, start)).build());
        }
        List<OutgoingMessage> keyed = IdempotentSubmissions.deduplicated(pool.pool().queueUrl(), key.get(), List.of(message),
                new int[] {0});
        return idempotent.submit(key.get(), RequestFingerprint.of("jobs", job), IdempotentSubmissions.jobIds(keyed), jobIds -> {
            OutgoingMessage sent = IdempotentSubmissions.withJobIds(keyed, jobIds).get(0);
            return answer(intake.submit(pool, sent), submitted -> json(accepted(poolName, submitted, start)));
        }).thenApply(IdempotentSubmissions.Answer::toResponse);
    }

    /**
     * The key of a request that sent the header, which {@link IdempotentSubmissions} reads and checks; a request
     * without it goes to the intake directly. An empty value is a header sent (and refused there), which a
     * {@code @HeaderParam} would read as none.
     */
    private static Optional<IdempotencyKey> keyed(String poolName, HttpHeaders headers) {
        return headers.getHeaderString(IdempotencyKey.HEADER) == null ? Optional.empty()
                : Optional.of(IdempotentSubmissions.key(poolName, headers));
    }

    /** The answer to one job the intake accepted; throws the problem when it refused it. */
    private Accepted accepted(String poolName, Submitted submitted, long start) {
        submitted.refused().ifPresent(refused -> {
            throw problem(refused);
        });
        metrics.submission(poolName, Duration.ofNanos(System.nanoTime() - start));
        return new Accepted(submitted.jobIds().get(0), poolName, submitted.desiredCount());
    }

    @POST
    @Path("/jobs:batch")
    @Operation(summary = "Submit up to 100 jobs", description = "Each entry is enqueued or listed in failed, never "
            + "dropped; an invalid entry fails alone, but a null payload refuses the whole batch (422).")
    @RequestBody(required = true, content = @Content(mediaType = MediaType.APPLICATION_JSON,
            schema = @Schema(implementation = JobRequests.Batch.class)))
    @APIResponse(responseCode = "202", description = "Every entry enqueued or listed in failed. With an Idempotency-Key "
            + "already answered: the first answer again, nothing enqueued", headers = @Header(name = IdempotentSubmissions.REPLAYED,
            description = REPLAYED_DOC, schema = @Schema(type = SchemaType.STRING, enumeration = "true")),
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = BatchAccepted.class)))
    @APIResponse(responseCode = "400", description = "Malformed JSON, or not {\"jobs\": [...]} with 1 to 100 jobs; "
            + "nothing enqueued")
    @APIResponse(responseCode = "404", description = "No pool of this name")
    @APIResponse(responseCode = "409", description = CONFLICT_DOC)
    @APIResponse(responseCode = "413", description = "The body is over quarkus.http.limits.max-body-size (10 MiB); "
            + "nothing enqueued. A single payload over the limit fails only its entry (PayloadTooLarge)")
    @APIResponse(responseCode = "415", description = "The body is not application/json")
    @APIResponse(responseCode = "422", description = UNPROCESSABLE_DOC)
    @APIResponse(responseCode = "502", description = "SQS failed while it had every entry: they may be enqueued, and a "
            + "retry may enqueue them twice (with the same Idempotency-Key: with the same jobIds); entries of a mixed "
            + "outcome are listed in failed with code OutcomeUnknown")
    @APIResponse(responseCode = "503", description = "SQS could not be reached for any entry, or the Idempotency-Key "
            + "store at all: nothing was enqueued; retry after Retry-After seconds")
    @Parameter(name = IdempotencyKey.HEADER, in = ParameterIn.HEADER, description = IDEMPOTENCY_KEY_DOC,
            schema = @Schema(type = SchemaType.STRING, minLength = 1, maxLength = 255))
    public CompletionStage<Response> submitBatch(@PathParam("pool") String poolName,
            @Context HttpHeaders headers, JsonNode body) {
        long start = System.nanoTime();
        PoolController pool = pool(poolName);
        Optional<IdempotencyKey> key = keyed(poolName, headers);
        JsonNode jobs = body == null ? null : body.get("jobs");
        if (jobs == null || !jobs.isArray() || jobs.isEmpty() || jobs.size() > MAX_BATCH) {
            throw ApiException.badRequest("body must be {\"jobs\": [...]} with 1 to " + MAX_BATCH + " jobs");
        }
        List<SubmissionVerdict.FailedEntry> invalid = new ArrayList<>();
        List<OutgoingMessage> valid = new ArrayList<>(jobs.size());
        int[] validIndex = new int[jobs.size()];
        for (int i = 0; i < jobs.size(); i++) {
            try {
                valid.add(parser.parse(jobs.get(i), pool.pool().queueUrl()));
                validIndex[valid.size() - 1] = i;
            } catch (JobParser.InvalidJob e) {
                if (e.status == 422) {
                    // A null payload is the submitter's bug, likely in every entry: the batch is refused whole.
                    throw ApiException.nullPayload("jobs[" + i + "]: " + e.getMessage() + "; nothing enqueued");
                }
                invalid.add(new SubmissionVerdict.FailedEntry(i, e.code, e.getMessage()));
            }
        }
        int total = jobs.size();
        Function<Submitted, BatchAccepted> accepted = submitted -> {
            BatchAccepted batch = batchAnswer(submitted);
            metrics.submission(poolName, Duration.ofNanos(System.nanoTime() - start));
            return batch;
        };
        if (key.isEmpty()) {
            return answer(intake.submitBatch(pool, valid, total, invalid, validIndex),
                    accepted.andThen(a -> Response.accepted(a).build()));
        }
        List<OutgoingMessage> keyed = IdempotentSubmissions.deduplicated(pool.pool().queueUrl(), key.get(), valid, validIndex);
        return idempotent.submit(key.get(), RequestFingerprint.of("jobs:batch", body), IdempotentSubmissions.jobIds(keyed),
                jobIds -> answer(intake.submitBatch(pool, IdempotentSubmissions.withJobIds(keyed, jobIds), total, invalid,
                        validIndex), accepted.andThen(this::json)))
                .thenApply(IdempotentSubmissions.Answer::toResponse);
    }

    /** The answer's JSON, as the first and every replayed keyed answer carry it. */
    private String json(Object answer) {
        try {
            return mapper.writeValueAsString(answer);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write " + answer + " as JSON", e);
        }
    }

    /** The batch's answer (see {@link SubmissionVerdict#ofBatch}); throws the problem when it was refused whole. */
    private static BatchAccepted batchAnswer(Submitted submitted) {
        submitted.refused().ifPresent(refused -> {
            throw problem(refused);
        });
        return new BatchAccepted(submitted.jobIds(), submitted.failed().stream()
                .map(f -> new Failed(f.index(), f.code(), f.message())).toList(), submitted.desiredCount());
    }

    /**
     * The response once the submission is answered, on whichever thread answers it (never one that waits): an
     * {@link ApiException} thrown by {@code map} fails the stage as itself, for the exception mappers.
     */
    private static <T> CompletableFuture<T> answer(CompletableFuture<Submitted> submission, Function<Submitted, T> map) {
        CompletableFuture<T> response = new CompletableFuture<>();
        submission.whenComplete((submitted, failure) -> {
            try {
                if (failure != null) {
                    throw Futures.unchecked(failure);
                }
                response.complete(map.apply(submitted));
            } catch (RuntimeException e) {
                response.completeExceptionally(e);
            }
        });
        return response;
    }

    private PoolController pool(String name) {
        return plane.pool(name).orElseThrow(() -> ApiException.notFound("no pool named '" + name + "'"));
    }

    /** The problem a refused submission answers. */
    private static ApiException problem(SubmissionVerdict.Refused refused) {
        return switch (refused.refusal()) {
            case UNAVAILABLE -> ApiException.unavailable(refused.detail(), RETRY_AFTER);
            // Not a 503: that promises nothing was enqueued, and here SQS had the jobs when it failed.
            case OUTCOME_UNKNOWN -> ApiException.outcomeUnknown(refused.detail());
            case INVALID -> ApiException.badRequest(refused.detail());
        };
    }
}
