package io.coscale.api.auth;

import io.coscale.api.problem.ApiException;
import io.coscale.api.problem.ApiExceptionMapper;
import io.coscale.config.AuthConfig;
import io.coscale.config.TokenSecretSource;
import io.coscale.config.TokenSecrets;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.annotation.Priority;
import jakarta.enterprise.inject.Instance;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.container.PreMatching;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.SecurityContext;
import jakarta.ws.rs.ext.Provider;
import java.util.Map;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * Bearer-token check for {@code /v1/…} and {@code /local/…}: 401 problem with {@code WWW-Authenticate: Bearer}
 * without a valid token, 403 problem when the token lacks the role {@link AccessRules} requires. Other paths, and
 * everything when {@code coscale.auth.enabled=false}, pass untouched. {@code /q/…} (health, metrics, OpenAPI) is
 * served outside JAX-RS and never reaches this filter.
 *
 * <p>Pre-matching, so that an unauthenticated caller gets 401 for unknown paths and wrong methods too, rather than
 * 404/405 answers that would map the API for it. On success the request's {@link SecurityContext} carries the
 * {@link Caller}, so resources can name who acted. The secret is never logged; the token name may be.
 */
@Provider
@PreMatching
@Priority(Priorities.AUTHENTICATION)
public class AuthFilter implements ContainerRequestFilter {

    private static final Logger LOG = Logger.getLogger(AuthFilter.class);
    private static final String BEARER = "bearer ";

    /** What the filter enforces, from {@code document}; {@code authenticator} is null when auth is off. */
    private record Settings(TokenAuthenticator authenticator, Map<String, String> document) {
    }

    private final Instance<AuthConfig> config;
    private final Instance<TokenSecretSource> tokenSecret;
    private final Instance<MeterRegistry> registry;

    // Built on the first request, not in the constructor: quarkus-rest creates filters during static init, when
    // runtime config mappings cannot be read yet (and must not be: secrets would be baked into a native image).
    private volatile Settings settings;

    /**
     * A filter enforcing {@code config}, read on first use, with the secrets of {@code tokenSecret} as last read: a
     * rotated token is accepted from the first request after the read that found it.
     */
    public AuthFilter(Instance<AuthConfig> config, Instance<TokenSecretSource> tokenSecret,
            Instance<MeterRegistry> registry) {
        this.config = config;
        this.tokenSecret = tokenSecret;
        this.registry = registry;
    }

    /** Aborts the request with 401 or 403 unless it is open or its token holds the required role. */
    @Override
    public void filter(ContainerRequestContext request) {
        TokenAuthenticator authenticator = settings().authenticator();
        if (authenticator == null) {
            return;
        }
        String method = request.getMethod();
        String path = request.getUriInfo().getPath();
        Optional<Role> required = AccessRules.requiredRole(method, path);
        if (required.isEmpty()) {
            return;
        }
        String header = request.getHeaderString(HttpHeaders.AUTHORIZATION);
        Optional<String> secret = bearerSecret(header);
        if (secret.isEmpty()) {
            refused("no-token");
            abort(request, ApiException.unauthorized(
                    "This endpoint needs an 'Authorization: Bearer <token>' header.", header != null));
            return;
        }
        Optional<Caller> caller = authenticator.authenticate(secret.get());
        if (caller.isEmpty()) {
            refused("unknown-token");
            LOG.debugf("Rejected an unknown bearer token for %s %s", method, path);
            abort(request, ApiException.unauthorized("The bearer token is not valid.", true));
            return;
        }
        if (!caller.get().has(required.get())) {
            refused("missing-role");
            LOG.debugf("Token '%s' lacks role %s for %s %s", caller.get().tokenName(), required.get().key(), method, path);
            abort(request, ApiException.forbidden(
                    "This token lacks the '" + required.get().key() + "' role needed for " + method + " " + path + "."));
            return;
        }
        request.setSecurityContext(new CallerContext(caller.get(), request.getSecurityContext().isSecure()));
    }

    /** Counts a refused call by why: an operator retires a rotated token once unknown-token stays flat. */
    private void refused(String reason) {
        Counter.builder("coscale.auth.refused").tag("reason", reason)
                .description("API calls refused: no-token and unknown-token answered 401, missing-role 403")
                .register(registry.get()).increment();
    }

    private Settings settings() {
        Settings current = settings;
        if (current != null && current.authenticator() == null) {
            return current;
        }
        AuthConfig auth = config.get();
        if (!auth.enabled()) {
            current = new Settings(null, Map.of());
        } else {
            Map<String, String> document = tokenSecret.get().current();
            if (current == null || current.document() != document) {
                // A race here only builds the same immutable value twice.
                current = new Settings(new TokenAuthenticator(TokenSecrets.resolve(auth.tokens(), document)), document);
            }
        }
        settings = current;
        return current;
    }

    /**
     * The secret of an {@code Authorization: Bearer <secret>} header; empty for a missing header, another scheme,
     * or a blank secret. The scheme is case-insensitive (RFC 9110 §11.1).
     */
    public static Optional<String> bearerSecret(String header) {
        if (header == null || header.length() <= BEARER.length()
                || !header.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            return Optional.empty();
        }
        String secret = header.substring(BEARER.length()).strip();
        return secret.isEmpty() ? Optional.empty() : Optional.of(secret);
    }

    // abortWith skips the exception mappers, so the problem response is built here from the same exception.
    private static void abort(ContainerRequestContext request, ApiException e) {
        request.abortWith(new ApiExceptionMapper().toResponse(e));
    }

    private record CallerContext(Caller caller, boolean secure) implements SecurityContext {

        @Override
        public Caller getUserPrincipal() {
            return caller;
        }

        @Override
        public boolean isUserInRole(String role) {
            return Role.fromKey(role).map(caller::has).orElse(false);
        }

        @Override
        public boolean isSecure() {
            return secure;
        }

        @Override
        public String getAuthenticationScheme() {
            return "Bearer";
        }
    }
}
