package io.coscale.api;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.coscale.api.auth.Caller;
import io.coscale.api.openapi.CoscaleApiDefinition;
import io.coscale.api.problem.ApiException;
import io.coscale.concurrent.Futures;
import io.coscale.control.NotSettledException;
import io.coscale.control.StepFailures;
import io.coscale.control.TaskRejectedException;
import io.coscale.control.Workers;
import io.coscale.lease.NotLeaderException;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.SecurityContext;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BiFunction;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * The worker protocol (docs and README): a task claims before its first receive (later claims are heartbeats),
 * and releases itself when the queue
 * is empty. The task's pool comes from ECS (the task's service); a task that is not a live task of a managed
 * pool gets 403 and changes nothing. Only the leader serves these calls: on another replica
 * {@link FollowerWorkerCalls} passes them on before they reach this resource.
 */
@Path("/v1")
@ServedByLeader
@Consumes(MediaType.APPLICATION_JSON)
@Produces(MediaType.APPLICATION_JSON)
@SecurityRequirement(name = CoscaleApiDefinition.BEARER)
@Tag(name = CoscaleApiDefinition.WORKERS)
public class WorkerResource {

    private static final Duration RETRY_AFTER = Duration.ofSeconds(1);
    private static final Duration STEP_TIMEOUT = Duration.ofSeconds(30);

    private final Workers workers;

    WorkerResource(Workers workers) {
        this.workers = workers;
    }

    /** {@code taskArn}: the caller's own task; {@code pool}: optional, must agree with the task's. */
    public record WorkerRequest(
            @Schema(required = true, description = "The caller's own task, as ECS task metadata gives it "
                    + "(TaskARN): arn:aws:ecs:<region>:<account>:task/<cluster>/<id>") String taskArn,
            @Schema(description = "Optional: the pool the caller believes it serves; 403 unless it is the task's") String pool) {
    }

    /** {@code drain}: release after the current job instead of polling again (a task of an older deployment). */
    public record ClaimResponse(
            String pool,
            @Schema(description = "Whether the task holds ECS scale-in protection now (protect mode); false in "
                    + "cooperative mode and for a task already told to exit") @JsonProperty("protected") boolean isProtected,
            @Schema(description = "When the protection lapses unless renewed (coscale renews it); null when not protected")
            Instant expiresAt,
            @Schema(description = "Release after the current job instead of polling again: a task of an older "
                    + "deployment, or one already told to exit") boolean drain) {
    }

    /** What a worker that found its queue empty must do, and why. */
    public record ReleaseResponse(
            String pool,
            @Schema(enumeration = {"exit", "continue", "stay"}, description = "exit: stop at once (code 0); continue: "
                    + "work is waiting, poll again; stay: the pool is at minTasks, keep polling as warm capacity")
            String decision,
            @Schema(description = "The service's desiredCount after this decision") int desiredCount,
            @Schema(description = "Why, for logs") String reason) {
    }

    @POST
    @Path("/claim")
    @Operation(summary = "Claim the task before its first receive", description = "In protect mode, protects the task "
            + "from ECS scale-in until coscale answers exit to one of its releases; later claims are heartbeats. "
            + "drain: release after the current job (a task of an older deployment).")
    @APIResponse(responseCode = "200", description = "Claimed (and protected, in protect mode)",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ClaimResponse.class)))
    @APIResponse(responseCode = "400", description = "Malformed JSON, taskArn missing, or not a task ARN")
    @APIResponse(responseCode = "403", description = "The task is not a PENDING or RUNNING task of a managed pool's "
            + "service, or pool names another pool; or the token lacks the worker role, or is bound to other pools. Nothing changed")
    @APIResponse(responseCode = "415", description = "The body is not application/json")
    @APIResponse(responseCode = "503", description = "ECS could not be reached or did not answer in time; nothing "
            + "changed. Retry after Retry-After seconds")
    public CompletionStage<ClaimResponse> claim(WorkerRequest request, @Context SecurityContext security) {
        return act(request, (task, pool) -> workers.claim(task, pool, boundTo(security))
                .thenApply(r -> new ClaimResponse(r.pool(), r.isProtected(), r.expiresAt(), r.drain())));
    }

    @POST
    @Path("/release")
    @Operation(summary = "Release a task whose queue is empty", description = "Answers exit, continue or stay. A "
            + "repeated release of the same task answers the same and never lowers the count twice.")
    @APIResponse(responseCode = "200", description = "The decision",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ReleaseResponse.class)))
    @APIResponse(responseCode = "400", description = "Malformed JSON, taskArn missing, or not a task ARN")
    @APIResponse(responseCode = "403", description = "The task is not a PENDING or RUNNING task of a managed pool's "
            + "service, or pool names another pool; or the token lacks the worker role, or is bound to other pools. Nothing changed")
    @APIResponse(responseCode = "415", description = "The body is not application/json")
    @APIResponse(responseCode = "503", description = "ECS or SQS could not be reached, or coscale started moments ago "
            + "and lowers no count yet (coscale.control.exit-settle); nothing changed. Retry after Retry-After seconds")
    public CompletionStage<ReleaseResponse> release(WorkerRequest request, @Context SecurityContext security) {
        return act(request, (task, pool) -> workers.release(task, pool, boundTo(security)).thenApply(r -> new ReleaseResponse(r.pool(),
                r.decision().kind().wireName(), r.decision().desiredCount(), r.decision().reason())));
    }

    /** The pools the caller's token is bound to; none (every pool) without auth or for an unbound token. */
    private static Optional<Set<String>> boundTo(SecurityContext security) {
        return security != null && security.getUserPrincipal() instanceof Caller caller ? caller.pools() : Optional.empty();
    }

    /**
     * Runs the caller's claim or release (task ARN, and the pool it names if any); no thread waits meanwhile. A step that has not finished within
     * {@link #STEP_TIMEOUT} answers 503 (it goes on; the worker's retry finds its outcome).
     */
    private <T> CompletionStage<T> act(WorkerRequest request,
            BiFunction<String, Optional<String>, CompletableFuture<T>> step) {
        if (request == null || request.taskArn() == null || request.taskArn().isBlank()) {
            throw ApiException.badRequest("\"taskArn\" is required");
        }
        return step.apply(request.taskArn(), Optional.ofNullable(request.pool()))
                .orTimeout(STEP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
                .exceptionally(e -> {
                    throw failure(Futures.cause(e));
                });
    }

    private static RuntimeException failure(Throwable cause) {
        if (cause instanceof ApiException api) {
            return api;
        }
        if (cause instanceof IllegalArgumentException e) {
            return ApiException.badRequest(e.getMessage());
        }
        if (cause instanceof TaskRejectedException e) {
            return ApiException.forbidden(e.getMessage());
        }
        if (cause instanceof TimeoutException) {
            return ApiException.unavailable("coscale could not finish the step within " + STEP_TIMEOUT, RETRY_AFTER);
        }
        if (cause instanceof NotLeaderException) {
            return ApiException.unavailable("this replica no longer leads; nothing changed: " + cause.getMessage(), RETRY_AFTER);
        }
        if (cause instanceof NotSettledException) {
            return ApiException.unavailable("nothing changed: " + cause.getMessage(), RETRY_AFTER);
        }
        if (StepFailures.unreachable(cause)) {
            return ApiException.unavailable("ECS or SQS could not be reached; nothing changed: " + cause.getMessage(), RETRY_AFTER);
        }
        return cause instanceof RuntimeException r ? r : new IllegalStateException(cause);
    }
}
