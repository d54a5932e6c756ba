package io.coscale.api.problem;

import com.fasterxml.jackson.annotation.JsonInclude;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * An RFC 9457 problem details object, the body of every error coscale returns as {@value #MEDIA_TYPE}.
 *
 * @param type a URI naming the kind of problem, {@code https://coscale.io/problems/<slug>}
 * @param title a short summary, the same for every problem of this type
 * @param status the HTTP status code, repeated so that the body stands on its own
 * @param detail what went wrong in this occurrence, for a human; never a stack trace or a secret
 * @param instance optional URI identifying this occurrence (coscale uses it for incident ids of 500s)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@Schema(description = "RFC 9457 problem details: the body of every coscale error, as application/problem+json")
public record Problem(
        @Schema(required = true, description = "What kind of problem: https://coscale.io/problems/<slug> (e.g. "
                + "not-found, service-unavailable), or about:blank; an identifier, not necessarily a page")
        String type,
        @Schema(required = true, description = "A short summary, the same for every problem of this type") String title,
        @Schema(required = true, description = "The HTTP status, repeated") int status,
        @Schema(required = true, description = "What went wrong this time, for a human") String detail,
        @Schema(description = "Only on 500: an incident id (urn:uuid:…) to quote; the details are in coscale's log")
        String instance) {

    /** The media type of problem details in JSON (RFC 9457 §3). */
    public static final String MEDIA_TYPE = "application/problem+json";

    /** The same media type as a JAX-RS value. */
    public static final MediaType MEDIA_TYPE_VALUE = MediaType.valueOf(MEDIA_TYPE);

    /** A problem without an {@code instance}. */
    public Problem(String type, String title, int status, String detail) {
        this(type, title, status, detail, null);
    }

    /** A problem of a known type. */
    public static Problem of(ProblemType type, String detail) {
        return new Problem(type.uri(), type.title(), type.status(), detail);
    }

    /**
     * A problem for any HTTP status: the coscale type when there is one, otherwise {@code about:blank} with the
     * standard reason phrase as title, as RFC 9457 §4.2.1 prescribes for problems with no extra semantics.
     */
    public static Problem forStatus(int status, String detail) {
        return ProblemType.forStatus(status)
                .map(t -> of(t, detail))
                .orElseGet(() -> new Problem("about:blank", reasonPhrase(status), status, detail));
    }

    /** The same problem with an {@code instance} URI. */
    public Problem withInstance(String instanceUri) {
        return new Problem(type, title, status, detail, instanceUri);
    }

    /**
     * A response builder carrying this problem as its {@value #MEDIA_TYPE} entity and status; callers add
     * headers such as {@code Retry-After} or {@code WWW-Authenticate}.
     */
    public Response.ResponseBuilder toResponse() {
        return Response.status(status).type(MEDIA_TYPE_VALUE).entity(this);
    }

    private static String reasonPhrase(int status) {
        Response.Status known = Response.Status.fromStatusCode(status);
        return known != null ? known.getReasonPhrase() : "HTTP " + status;
    }
}
