package io.coscale.api;

import io.coscale.api.openapi.CoscaleApiDefinition;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import io.coscale.lease.Leadership;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/** Which replica leads (holds the lease and writes ECS), as the replica that answers knows it. */
@Path("/v1/leader")
@Produces(MediaType.APPLICATION_JSON)
@SecurityRequirement(name = CoscaleApiDefinition.BEARER)
@Tag(name = CoscaleApiDefinition.HEALTH)
public class LeaderResource {

    private final Leadership leadership;

    LeaderResource(Leadership leadership) {
        this.leadership = leadership;
    }

    /**
     * The leader as the API shows it.
     *
     * @param leader  the leading replica's id; null when no live lease is known
     * @param epoch   the lease's epoch (fencing token) as this replica last saw it
     * @param self    whether the answering replica is the leader
     * @param address the leader's URL; null when {@code leader} is
     */
    public record LeaderView(String leader, long epoch, boolean self, String address) {
    }

    @GET
    @Operation(summary = "Which replica leads", description = "The holder of the lease, the only replica that writes "
            + "ECS, as the answering replica knows it.")
    @APIResponse(responseCode = "200", description = "The leader, the lease's epoch, and whether it is this replica")
    public LeaderView leader() {
        String leader = leadership.leaderId().orElse(null);
        // Two reads of a view that may change between them: the address goes with a leader only.
        String address = leader == null ? null : leadership.leaderAddress().orElse(null);
        return new LeaderView(leader, leadership.epoch(), leadership.selfId().equals(leader), address);
    }
}
