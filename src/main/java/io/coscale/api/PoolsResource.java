package io.coscale.api;

import io.coscale.control.ControlPlane;
import io.coscale.control.PoolController;
import io.coscale.control.PoolStatus;
import io.coscale.control.Sample;
import io.coscale.control.StatusReader;
import io.coscale.control.StatusSampler;
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

/** What dashboards and operators read: each pool's status and the events that explain its count. */
@Path("/v1/pools")
@Produces(MediaType.APPLICATION_JSON)
public class PoolsResource {

    static final int MAX_EVENTS = 1000;

    private final ControlPlane plane;
    private final StatusReader status;
    private final StatusSampler sampler;

    PoolsResource(ControlPlane plane, StatusReader status, StatusSampler sampler) {
        this.plane = plane;
        this.status = status;
        this.sampler = sampler;
    }

    /** An event as the API shows it: {@code kind} in its wire name. */
    public record EventView(Instant at, String kind, Integer from, Integer to, String reason) {
        static EventView of(Event e) {
            return new EventView(e.at(), e.kind().wireName(), e.from(), e.to(), e.reason());
        }
    }

    @GET
    public List<PoolStatus> all() {
        return status.all();
    }

    @GET
    @Path("/{pool}")
    public PoolStatus one(@PathParam("pool") String pool) {
        return status.of(pool(pool));
    }

    /** The pool's figures over the last hour (one sample every 5 s by default), oldest first: the status page's charts. */
    @GET
    @Path("/{pool}/samples")
    public List<Sample> samples(@PathParam("pool") String pool) {
        return sampler.samples(pool).orElseThrow(() -> ApiException.notFound("no pool named '" + pool + "'"));
    }

    @GET
    @Path("/{pool}/events")
    public List<EventView> events(@PathParam("pool") String pool, @QueryParam("limit") @DefaultValue("50") String limit) {
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
