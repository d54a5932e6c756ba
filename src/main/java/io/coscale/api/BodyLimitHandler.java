package io.coscale.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.coscale.api.problem.Problem;
import io.coscale.api.problem.ProblemType;
import io.quarkus.runtime.configuration.MemorySize;
import io.quarkus.vertx.http.runtime.RouteConstants;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * A request body over {@code quarkus.http.limits.max-body-size} (10 MiB by default) gets a 413 problem like every
 * other coscale error, not Quarkus' bare 413: this route runs just before Quarkus' own limit check and answers
 * from the {@code Content-Length} header, without reading the body. A chunked body (no length) that grows past the
 * limit is still cut off by Quarkus with its own bare 413, as the length is only known once read.
 *
 * <p>This is the HTTP layer's limit; a job's payload has its own, smaller one ({@code coscale.jobs.max-payload-bytes},
 * checked by {@code JobParser}).
 */
@ApplicationScoped
public class BodyLimitHandler {

    private final long maxBodyBytes;
    private final ObjectMapper json;

    BodyLimitHandler(@ConfigProperty(name = "quarkus.http.limits.max-body-size", defaultValue = "10240K")
            MemorySize maxBodySize, ObjectMapper json) {
        this.maxBodyBytes = maxBodySize.asLongValue();
        this.json = json;
    }

    void install(@Observes Router router) {
        router.route().order(RouteConstants.ROUTE_ORDER_UPLOAD_LIMIT - 1).handler(this::handle);
    }

    private void handle(RoutingContext ctx) {
        long length = contentLength(ctx.request().getHeader(HttpHeaders.CONTENT_LENGTH));
        if (length <= maxBodyBytes) {
            ctx.next();
            return;
        }
        Problem problem = Problem.of(ProblemType.PAYLOAD_TOO_LARGE,
                "The body is " + length + " bytes; the limit is " + maxBodyBytes + " (quarkus.http.limits.max-body-size).");
        String body;
        try {
            body = json.writeValueAsString(problem);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a Problem is always serializable", e);
        }
        // The unread body would follow on this connection: close it once the answer is out, as Quarkus' own 413 does.
        ctx.response().setStatusCode(problem.status()).putHeader(HttpHeaders.CONTENT_TYPE, Problem.MEDIA_TYPE)
                .putHeader(HttpHeaders.CONNECTION, "close")
                .endHandler(done -> ctx.request().connection().close())
                .end(body);
    }

    /** The declared length, or -1 when it is absent or not a number (then the body is read, and limited, as usual). */
    static long contentLength(String header) {
        if (header == null) {
            return -1;
        }
        try {
            return Long.parseLong(header.strip());
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
