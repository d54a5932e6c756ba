package io.coscale.api;

import io.coscale.local.LocalCloud;
import io.coscale.local.ecs.EmulatorStats;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/** The local cloud's counters (SPEC section 6); 404 when local mode is off. */
@Path("/local/v1/stats")
@Produces(MediaType.APPLICATION_JSON)
public class LocalStatsResource {

    private final LocalCloud localCloud;

    LocalStatsResource(LocalCloud localCloud) {
        this.localCloud = localCloud;
    }

    /** The ECS emulator's API call counts, throttles, task and job counters. */
    @GET
    public EmulatorStats.Snapshot stats() {
        return localCloud.emulator()
                .map(e -> e.stats().snapshot())
                .orElseThrow(() -> new NotFoundException("local mode is off: no emulator is running"));
    }
}
