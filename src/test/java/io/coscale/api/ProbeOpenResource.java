package io.coscale.api;

import io.quarkus.arc.properties.IfBuildProperty;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.SecurityContext;
import java.time.Duration;
import java.util.Map;

/** Test-only endpoints outside /v1 (see {@link ProbeResource}): one under /local, one open. */
@IfBuildProperty(name = "coscale.test.api-probe", stringValue = "true")
@Path("/")
@Produces(MediaType.APPLICATION_JSON)
public class ProbeOpenResource {

    @GET
    @Path("local/v1/probe")
    public Map<String, Object> local(@Context SecurityContext security) {
        return Map.of("caller", ProbeResource.caller(security));
    }

    @GET
    @Path("open/probe")
    public Map<String, Object> open() {
        return Map.of("open", true);
    }
}
