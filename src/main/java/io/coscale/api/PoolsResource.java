package io.coscale.api;

import io.coscale.api.openapi.CoscaleApiDefinition;
import io.coscale.api.problem.ApiException;
import io.coscale.control.Pools;
import io.coscale.control.PoolController;
import io.coscale.control.PoolStatus;
import io.coscale.control.status.Sample;
import io.coscale.control.status.StatusReader;
import io.coscale.control.status.StatusSampler;
import io.coscale.domain.Event;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.time.Instant;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** What dashboards and operators read: each pool's status and the events that explain its count. */
@Path("/v1/pools")
@Produces(MediaType.APPLICATION_JSON)
@SecurityRequirement(name = CoscaleApiDefinition.BEARER)
@Tag(name = CoscaleApiDefinition.POOLS)
public class PoolsResource {

    static final int MAX_EVENTS = 1000;

    private final Pools plane;
    private final StatusReader status;
    private final StatusSampler sampler;

    PoolsResource(Pools plane, StatusReader status, StatusSampler sampler) {
        this.plane = plane;
        this.status = status;
        this.sampler = sampler;
    }

    /** An event as the API shows it: {@code kind} in its wire name. */
    @Schema(name = "Event")
    public record EventView(
            Instant at,
            @Schema(enumeration = {"scale-up", "release", "reconcile", "protection", "error", "dead-letter", "task-stopped"})
            String kind,
            @Schema(description = "desiredCount before; null for protection and error events, which change no count")
            Integer from,
            @Schema(description = "desiredCount after; null for protection and error events") Integer to,
            @Schema(description = "Why, in a sentence; names the task for protection events") String reason) {
        static EventView of(Event e) {
            return new EventView(e.at(), e.kind().wireName(), e.from(), e.to(), e.reason());
        }
    }

    @GET
    @Operation(summary = "Every pool's status")
    @APIResponse(responseCode = "200", description = "The status of every configured pool")
    public List<PoolStatus> all() {
        return status.all();
    }

    @GET
    @Path("/{pool}")
    @Operation(summary = "One pool's status")
    @APIResponse(responseCode = "200", description = "The pool's settings and what ECS and SQS last said")
    @APIResponse(responseCode = "404", description = "No pool of this name")
    public PoolStatus one(@PathParam("pool") String pool) {
        return status.of(pool(pool));
    }

    /** The pool's figures over the last hour (one sample every 5 s by default), oldest first: the status page's charts. */
    @GET
    @Path("/{pool}/samples")
    @Operation(summary = "A pool's samples of the last hour, oldest first", description = "What the status page's "
            + "charts draw: one sample per coscale.status.sample-interval, kept in memory.")
    @APIResponse(responseCode = "200", description = "The samples, oldest first")
    @APIResponse(responseCode = "404", description = "No pool of this name")
    public List<Sample> samples(@PathParam("pool") String pool) {
        return sampler.samples(pool).orElseThrow(() -> ApiException.notFound("no pool named '" + pool + "'"));
    }

    @GET
    @Path("/{pool}/events")
    @Operation(summary = "A pool's recent events, newest first", description = "Every change coscale made to the pool "
            + "(scale-up, release, reconcile, protection) and every failure: why the count moved.")
    @APIResponse(responseCode = "200", description = "Up to limit events, newest first")
    @APIResponse(responseCode = "400", description = "limit is not a whole number from 1 to 1000")
    @APIResponse(responseCode = "404", description = "No pool of this name")
    // A String, read by hand: a typed int would turn "limit=abc" into a bare 404 instead of a 400 that says why.
    public List<EventView> events(@PathParam("pool") String pool, @QueryParam("limit") @DefaultValue("50")
            @Parameter(description = "How many events, 1 to 1000", schema = @Schema(type = SchemaType.INTEGER,
                    minimum = "1", maximum = "1000", defaultValue = "50")) String limit) {
        int n;
        try {
            n = Integer.parseInt(limit);
        } catch (NumberFormatException e) {
            n = -1;
        }
        if (n < 1 || n > MAX_EVENTS) {
            throw ApiException.badRequest("limit must be a whole number from 1 to " + MAX_EVENTS);
        }
        return pool(pool).events().newest(n).stream().map(EventView::of).toList();
    }

    private PoolController pool(String name) {
        return plane.pool(name).orElseThrow(() -> ApiException.notFound("no pool named '" + name + "'"));
    }
}
