package io.coscale.api.problem;

import java.net.URI;
import java.util.Arrays;
import java.util.Optional;

/**
 * The kinds of error coscale reports, each with a stable {@code type} URI (RFC 9457 §3.1.1) that clients may
 * switch on. The URI is an identifier, not necessarily a page that resolves.
 */
public enum ProblemType {
    BAD_REQUEST(400, "bad-request", "Bad Request"),
    UNAUTHORIZED(401, "unauthorized", "Unauthorized"),
    FORBIDDEN(403, "forbidden", "Forbidden"),
    NOT_FOUND(404, "not-found", "Not Found"),
    METHOD_NOT_ALLOWED(405, "method-not-allowed", "Method Not Allowed"),
    NOT_ACCEPTABLE(406, "not-acceptable", "Not Acceptable"),
    CONFLICT(409, "conflict", "Conflict"),
    PAYLOAD_TOO_LARGE(413, "payload-too-large", "Payload Too Large"),
    UNSUPPORTED_MEDIA_TYPE(415, "unsupported-media-type", "Unsupported Media Type"),
    TOO_MANY_REQUESTS(429, "too-many-requests", "Too Many Requests"),
    INTERNAL(500, "internal", "Internal Server Error"),
    OUTCOME_UNKNOWN(502, "outcome-unknown", "Bad Gateway"),
    SERVICE_UNAVAILABLE(503, "service-unavailable", "Service Unavailable");

    /** Prefix of every coscale problem type URI; the slug follows it. */
    public static final String TYPE_BASE = "https://coscale.io/problems/";

    private final int status;
    private final String slug;
    private final String title;

    ProblemType(int status, String slug, String title) {
        this.status = status;
        this.slug = slug;
        this.title = title;
    }

    /** The HTTP status this kind of problem is reported with. */
    public int status() {
        return status;
    }

    /** The last path segment of the type URI, e.g. {@code not-found}. */
    public String slug() {
        return slug;
    }

    /** Short human-readable summary; the same for every occurrence of this type (RFC 9457 §3.1.3). */
    public String title() {
        return title;
    }

    /** The full type URI, {@value #TYPE_BASE} followed by the slug. */
    public String uri() {
        return uriOf(slug);
    }

    /** The type URI for any slug, so that {@link ApiException}s with their own slug stay in the same namespace. */
    public static String uriOf(String slug) {
        return URI.create(TYPE_BASE).resolve(slug).toString();
    }

    /** The problem type coscale uses for an HTTP status, if it has one; callers fall back to a generic title. */
    public static Optional<ProblemType> forStatus(int status) {
        return Arrays.stream(values()).filter(t -> t.status == status).findFirst();
    }
}
