package io.coscale.local;

import io.coscale.api.openapi.CoscaleApiDefinition;
import io.coscale.api.problem.ApiException;
import io.coscale.local.ecs.EcsEmulator;
import io.coscale.local.ecs.Interruption;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * The local cloud's fault control: {@code GET} what is injected now, {@code PUT} a whole new set (everything not
 * named is switched off), {@code DELETE} to switch every fault off. A bad body is a 400 problem and changes
 * nothing. 404 when this process runs no local cloud. {@code POST /local/v1/faults/task-stops} stops one task for
 * a reason of ECS's own (Spot interruption, host retirement, out-of-memory kill), once.
 */
@Path("/local/v1/faults")
@Produces(MediaType.APPLICATION_JSON)
@SecurityRequirement(name = CoscaleApiDefinition.BEARER)
@Tag(name = CoscaleApiDefinition.LOCAL_CLOUD)
public class LocalFaultsResource {

    private final LocalCloud localCloud;

    LocalFaultsResource(LocalCloud localCloud) {
        this.localCloud = localCloud;
    }

    @GET
    @Operation(summary = "The faults injected now (local mode)")
    @APIResponse(responseCode = "200", description = "Every fault setting; zeros are off")
    @APIResponse(responseCode = "404", description = "This process runs no local cloud")
    public LocalFaults faults() {
        return LocalFaults.current(emulator(), localCloud.sqsProxy().orElse(null));
    }

    @PUT
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Replace the injected faults (local mode)", description = "Everything the body does not name "
            + "is switched off.")
    @APIResponse(responseCode = "200", description = "The faults injected now")
    @APIResponse(responseCode = "400", description = "Not a JSON object of faults, a value out of range, or SQS faults "
            + "without the SQS proxy; nothing changed")
    @APIResponse(responseCode = "404", description = "This process runs no local cloud")
    @APIResponse(responseCode = "415", description = "The body is not application/json")
    public LocalFaults set(LocalFaults faults) {
        EcsEmulator emulator = emulator();
        if (faults == null) {
            throw ApiException.badRequest("The body must be a JSON object of faults, e.g. {\"ecs\": {\"*\": {\"errorRate\": 0.1}}}.");
        }
        if (faults.sqs().any() && localCloud.sqsProxy().isEmpty()) {
            throw ApiException.badRequest("SQS faults need the SQS proxy: run the cloud profile, or set coscale.local.sqs-proxy=true.");
        }
        faults.applyTo(emulator, localCloud.sqsProxy().orElse(null));
        return faults();
    }

    @DELETE
    @Operation(summary = "Switch every fault off (local mode)")
    @APIResponse(responseCode = "200", description = "The faults injected now: none")
    @APIResponse(responseCode = "404", description = "This process runs no local cloud")
    public LocalFaults clear() {
        return set(new LocalFaults(null, 0, 0, null));
    }

    /** A one-off stop of one task: its ARN, and how ECS stops it ({@code SpotInterruption}, …). */
    public record TaskStopRequest(
            @Schema(description = "The task's ARN", required = true) String taskArn,
            @Schema(enumeration = {"SpotInterruption", "TerminationNotice", "OutOfMemory"}, required = true) String kind) {
    }

    /** What the stop did: the stopCode and stoppedReason DescribeTasks shows; {@code stopped} false when already stopping. */
    public record TaskStopResult(String taskArn, String stopCode, String stoppedReason, boolean stopped) {
    }

    @POST
    @Path("/task-stops")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Stop one task as ECS would for its own reasons (local mode)", description = "SpotInterruption "
            + "and TerminationNotice send the stop signal and kill after the task's stopTimeout; OutOfMemory kills at "
            + "once (exit code 137). The service starts a replacement. A task already told to stop keeps its first stop.")
    @APIResponse(responseCode = "200", description = "The task's stopCode and stoppedReason")
    @APIResponse(responseCode = "400", description = "No taskArn, or an unknown kind; nothing changed")
    @APIResponse(responseCode = "404", description = "No such task, or this process runs no local cloud")
    @APIResponse(responseCode = "415", description = "The body is not application/json")
    public TaskStopResult stopTask(TaskStopRequest request) {
        EcsEmulator emulator = emulator();
        if (request == null || request.taskArn() == null || request.taskArn().isBlank()) {
            throw ApiException.badRequest("The body must name the task: {\"taskArn\": \"arn:aws:ecs:…\", \"kind\": \"SpotInterruption\"}.");
        }
        Interruption kind;
        try {
            kind = Interruption.of(request.kind());
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest(e.getMessage());
        }
        boolean stopped = emulator.interrupt(request.taskArn(), kind)
                .orElseThrow(() -> ApiException.notFound("No task " + request.taskArn() + " in the local cloud."));
        return new TaskStopResult(request.taskArn(), kind.stopCode(), kind.stoppedReason(), stopped);
    }

    private EcsEmulator emulator() {
        return localCloud.emulator().orElseThrow(() -> new NotFoundException(localCloud.absentReason()));
    }
}
