package io.coscale.api.openapi;

import io.coscale.api.problem.Problem;
import jakarta.ws.rs.core.Application;
import org.eclipse.microprofile.openapi.annotations.Components;
import org.eclipse.microprofile.openapi.annotations.OpenAPIDefinition;
import org.eclipse.microprofile.openapi.annotations.enums.SecuritySchemeType;
import org.eclipse.microprofile.openapi.annotations.info.Info;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.security.SecurityScheme;

/**
 * What {@code /q/openapi} says about the API as a whole: its title, the bearer scheme that {@code /v1} and
 * {@code /local} operations require (each resource names it with {@code @SecurityRequirement}), and the problem
 * schema every error refers to ({@link ProblemResponses} attaches it). A JAX-RS {@link Application} because that
 * is where MicroProfile OpenAPI reads {@link OpenAPIDefinition}; it declares no path and no resources, so every
 * resource is still found by scanning. docs/API.md is the prose contract; this is the machine-readable one.
 */
@OpenAPIDefinition(
        info = @Info(title = "coscale API", version = "v1",
                description = "Cooperative scaling of queue-driven workers on Amazon ECS: submit jobs, claim and "
                        + "release worker tasks, read pool status and events. Errors are application/problem+json "
                        + "(RFC 9457). The contract in prose: docs/API.md in the repository."),
        components = @Components(schemas = @Schema(name = ProblemResponses.PROBLEM_SCHEMA, implementation = Problem.class)))
@SecurityScheme(securitySchemeName = CoscaleApiDefinition.BEARER, type = SecuritySchemeType.HTTP, scheme = "bearer",
        description = "A token configured as coscale.auth.tokens.<name>.secret, sent as 'Authorization: Bearer "
                + "<secret>'. Roles: submit (jobs), worker (claim, release), read (pools, events), admin (all, and "
                + "/local). Not checked when coscale.auth.enabled=false (local mode).")
public class CoscaleApiDefinition extends Application {

    /** The name of the security scheme, as the resources' {@code @SecurityRequirement} cite it. */
    public static final String BEARER = "bearer";
}
