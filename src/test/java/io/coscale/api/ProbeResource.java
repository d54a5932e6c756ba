package io.coscale.api;

import io.quarkus.arc.properties.IfBuildProperty;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.SecurityContext;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Test-only endpoints shaped like the real API's, so that the auth filter and exception mappers can be tested
 * before (and independently of) the real resources. Each answers with the caller's token name.
 *
 * <p>Two guards keep it out of the real resources' way: it exists only when a test profile sets
 * {@code coscale.test.api-probe=true} (build-time condition honoured by quarkus-rest), and its paths use the
 * literal pool {@code probe-pool} instead of a {@code {pool}} template, so they never duplicate a real
 * resource method. {@code /v1/claim} and {@code /v1/release} are deliberately absent: they would.
 * Class paths are more specific than the real resources' ({@code /v1/pools/{pool}}, {@code /v1}), because
 * JAX-RS picks the root resource by its class path first and does not fall back to another.
 */
@IfBuildProperty(name = "coscale.test.api-probe", stringValue = "true")
@Path("/v1/pools/probe-pool")
@Produces(MediaType.APPLICATION_JSON)
public class ProbeResource {

    /** A body with typed fields, to provoke Jackson errors. */
    public record ProbeJob(Object payload, Integer delaySeconds, Map<String, String> attributes) {
    }

    /** A body with a nested list, to check field paths like {@code jobs[1].delaySeconds}. */
    public record ProbeBatch(List<ProbeJob> jobs) {
    }

    @POST
    @Path("jobs")
    @Consumes(MediaType.APPLICATION_JSON)
    public Map<String, Object> submit(ProbeJob job, @Context SecurityContext security) {
        return Map.of("pool", "probe-pool", "caller", caller(security), "delaySeconds", String.valueOf(job.delaySeconds()));
    }

    @POST
    @Path("jobs:batch")
    @Consumes(MediaType.APPLICATION_JSON)
    public Map<String, Object> submitBatch(ProbeBatch batch, @Context SecurityContext security) {
        return Map.of("pool", "probe-pool", "caller", caller(security), "count", batch.jobs().size());
    }

    @GET
    public Map<String, Object> pool(@Context SecurityContext security) {
        return Map.of("pool", "probe-pool", "caller", caller(security));
    }

    static String caller(SecurityContext security) {
        return security.getUserPrincipal() == null ? "anonymous" : security.getUserPrincipal().getName();
    }
}
