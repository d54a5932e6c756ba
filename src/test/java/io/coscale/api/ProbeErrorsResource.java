package io.coscale.api;

import io.coscale.api.problem.ApiException;
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

/** Test-only endpoint that throws each kind of error (see {@link ProbeResource}). */
@IfBuildProperty(name = "coscale.test.api-probe", stringValue = "true")
@Path("/v1/probe")
@Produces(MediaType.APPLICATION_JSON)
public class ProbeErrorsResource {

    /** Throws the error named {@code kind}; under /v1 so it needs the admin role. */
    @GET
    @Path("errors/{kind}")
    public Map<String, Object> fail(@PathParam("kind") String kind) {
        throw switch (kind) {
            case "bad-request" -> ApiException.badRequest("field 'pool' is invalid");
            case "not-found" -> ApiException.notFound("pool 'nope' does not exist");
            case "forbidden" -> ApiException.forbidden("task is not a live task of a managed pool");
            case "too-large" -> ApiException.payloadTooLarge("payload is over 262144 bytes");
            case "unavailable" -> ApiException.unavailable("queue unreachable", Duration.ofMillis(2500));
            case "conflict" -> new WebApplicationException("already released", 409);
            case "teapot" -> new WebApplicationException(418);
            case "web-500" -> new WebApplicationException("secret internals", 502);
            default -> new IllegalStateException("internal detail that must not leak: " + kind);
        };
    }
}
