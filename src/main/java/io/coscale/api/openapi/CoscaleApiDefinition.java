package io.coscale.api.openapi;

import io.coscale.api.problem.Problem;
import jakarta.ws.rs.core.Application;
import org.eclipse.microprofile.openapi.annotations.Components;
import org.eclipse.microprofile.openapi.annotations.OpenAPIDefinition;
import org.eclipse.microprofile.openapi.annotations.enums.SecuritySchemeType;
import org.eclipse.microprofile.openapi.annotations.info.Info;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.security.SecurityScheme;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * What {@code /q/openapi} says about the API as a whole: its title, the bearer scheme that {@code /v1} and
 * {@code /local} operations require (each resource names it with {@code @SecurityRequirement}), and the problem
 * schema every error refers to ({@link ProblemResponses} attaches it). A JAX-RS {@link Application} because that
 * is where MicroProfile OpenAPI reads {@link OpenAPIDefinition}; it declares no path and no resources, so every
 * resource is still found by scanning. docs/API.md is the prose contract; this is the machine-readable one.
 * <p>
 * Operations are grouped by who calls them, in this order (Swagger UI shows the groups so): submitters, workers,
 * readers, operators; then the local cloud's controls (local mode only: 404 elsewhere) and the call replicas make
 * to one another, which no client needs.
 */
@OpenAPIDefinition(
        info = @Info(title = "coscale API", version = "v1",
                description = "Cooperative scaling of queue-driven workers on Amazon ECS: submit jobs, claim and "
                        + "release worker tasks, read pool status and events. Errors are application/problem+json "
                        + "(RFC 9457). The contract in prose: docs/API.md in the repository."),
        tags = {
                @Tag(name = CoscaleApiDefinition.JOBS, description = "Submit jobs (role submit): each becomes an SQS message "
                        + "on the pool's queue, and the pool's desiredCount rises at once."),
                @Tag(name = CoscaleApiDefinition.WORKERS, description = "The worker protocol (role worker): claim before the "
                        + "first receive and after each message, release when the queue is empty, obey the decision."),
                @Tag(name = CoscaleApiDefinition.POOLS, description = "Pool status, events and chart samples (role read); "
                        + "pools created, changed and deleted as data (role admin)."),
                @Tag(name = CoscaleApiDefinition.HEALTH, description = "Which replica leads (role read). Liveness, "
                        + "readiness and metrics are /q/health/live, /q/health/ready and /q/metrics, open to the "
                        + "load balancer and Prometheus, outside this document."),
                @Tag(name = CoscaleApiDefinition.LOCAL_CLOUD, description = "Local mode only (404 elsewhere): the local "
                        + "cloud's counters and the faults it injects (role admin)."),
                @Tag(name = CoscaleApiDefinition.REPLICAS, description = "Internal: what a replica that does not lead "
                        + "sends the leader about the jobs it accepted. No client calls it.")},
        components = @Components(schemas = @Schema(name = ProblemResponses.PROBLEM_SCHEMA, implementation = Problem.class)))
@SecurityScheme(securitySchemeName = CoscaleApiDefinition.BEARER, type = SecuritySchemeType.HTTP, scheme = "bearer",
        description = "A token configured as coscale.auth.tokens.<name>.secret, sent as 'Authorization: Bearer "
                + "<secret>'. Roles: submit (jobs), worker (claim, release), read (pools, events), admin (all, and "
                + "/local). Not checked when coscale.auth.enabled=false (local mode).")
public class CoscaleApiDefinition extends Application {

    /** The name of the security scheme, as the resources' {@code @SecurityRequirement} cite it. */
    public static final String BEARER = "bearer";

    /** The operations' groups, by audience, in the order the document lists them. */
    public static final String JOBS = "jobs";
    public static final String WORKERS = "workers";
    public static final String POOLS = "pools";
    public static final String HEALTH = "health";
    public static final String LOCAL_CLOUD = "local cloud";
    public static final String REPLICAS = "replicas (internal)";
}
