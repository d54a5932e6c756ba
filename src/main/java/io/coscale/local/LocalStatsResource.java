package io.coscale.local;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonUnwrapped;
import io.coscale.api.openapi.CoscaleApiDefinition;
import io.coscale.local.ecs.EmulatorStats;
import io.coscale.local.sqs.SqsFaultProxy;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * The local cloud's counters ({@code GET /local/v1/stats}, every one documented in docs/LOCAL-CLOUD.md): the ECS emulator's,
 * and the SQS fault proxy's under {@code sqsProxy} when SQS runs behind it. 404 when this process runs no local cloud.
 */
@Path("/local/v1/stats")
@Produces(MediaType.APPLICATION_JSON)
@SecurityRequirement(name = CoscaleApiDefinition.BEARER)
@Tag(name = CoscaleApiDefinition.LOCAL_CLOUD)
public class LocalStatsResource {

    /** The answer: the emulator's counters at the top level, as they have always been, and the proxy's. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record LocalStats(@JsonUnwrapped EmulatorStats.Snapshot ecs, SqsFaultProxy.Stats sqsProxy) {
    }

    private final LocalCloud localCloud;

    LocalStatsResource(LocalCloud localCloud) {
        this.localCloud = localCloud;
    }

    @GET
    @Operation(summary = "The local cloud's counters (local mode)", description = "Every counter only grows; docs/LOCAL-CLOUD.md "
            + "lists them and the sums they keep. Needs the admin role when auth is on.")
    @APIResponse(responseCode = "200", description = "The ECS emulator's counters, and the SQS fault proxy's under sqsProxy")
    @APIResponse(responseCode = "404", description = "This process runs no local cloud (production, or the attached "
            + "profile: the detail names the cloud's port)")
    public LocalStats stats() {
        return localCloud.emulator()
                .map(e -> new LocalStats(e.stats().snapshot(), localCloud.sqsProxy().map(SqsFaultProxy::stats).orElse(null)))
                .orElseThrow(() -> new NotFoundException(localCloud.absentReason()));
    }
}
