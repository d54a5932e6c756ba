package io.coscale.api;

import io.coscale.api.openapi.CoscaleApiDefinition;
import io.coscale.api.problem.ApiException;
import io.coscale.control.Pools;
import io.coscale.control.PoolController;
import io.coscale.lease.Leadership;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.time.Duration;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * Between replicas: a replica that does not lead accepted jobs (SQS has them) and passes their count on, so that
 * the leader raises the pool's count at once. Role {@code replica}: the replicas' own credential, so no client token can move a count.
 */
@Path("/v1/pools/{pool}/jobs:counted")
@Consumes(MediaType.APPLICATION_JSON)
@Produces(MediaType.APPLICATION_JSON)
@SecurityRequirement(name = CoscaleApiDefinition.BEARER)
@Tag(name = CoscaleApiDefinition.REPLICAS)
public class CountsResource {

    private static final Duration RETRY_AFTER = Duration.ofSeconds(1);

    private final Pools plane;
    private final Leadership leadership;

    CountsResource(Pools plane, Leadership leadership) {
        this.plane = plane;
        this.leadership = leadership;
    }

    /** {@code jobs}: how many jobs SQS accepted; {@code messageGroups}: their groups, for a FIFO queue. */
    public record Counted(int jobs, List<String> messageGroups) {
    }

    /** {@code desiredCount}: what the pool is heading for now. */
    public record Heading(int desiredCount) {
    }

    @POST
    @Operation(summary = "Count jobs another replica accepted (between replicas)", description = "Answered by the "
            + "leader only; any other replica answers 503, and never passes the call on.")
    @APIResponse(responseCode = "200", description = "Counted; the count the pool is heading for")
    @APIResponse(responseCode = "400", description = "jobs missing or negative")
    @APIResponse(responseCode = "404", description = "No pool of this name")
    @APIResponse(responseCode = "415", description = "The body is not application/json")
    @APIResponse(responseCode = "503", description = "This replica does not lead; the caller retries at the leader")
    public Heading counted(@PathParam("pool") String pool, Counted counted) {
        if (counted == null || counted.jobs() < 0) {
            throw ApiException.badRequest("body must be {\"jobs\": n >= 0, \"messageGroups\"?: [...]}");
        }
        if (!leadership.isLeader()) {
            throw ApiException.unavailable("this replica does not lead: counts go to the leader", RETRY_AFTER);
        }
        PoolController controller = plane.pool(pool).orElseThrow(() -> ApiException.notFound("no pool named '" + pool + "'"));
        List<String> groups = counted.messageGroups() == null ? List.of() : counted.messageGroups();
        return new Heading(controller.submitted(counted.jobs(), groups));
    }
}
