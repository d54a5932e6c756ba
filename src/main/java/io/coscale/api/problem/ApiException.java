package io.coscale.api.problem;

import java.time.Duration;
import java.util.Map;

/**
 * An error the API reports to its caller on purpose: thrown anywhere below a resource, turned into an
 * {@code application/problem+json} response by {@link ApiExceptionMapper}. The detail is shown to the client, so
 * it must not contain secrets or internals.
 *
 * <p>No stack trace is captured: these are expected outcomes (an unknown pool, a payload too large), are never
 * logged with a trace, and can be frequent under a burst of bad requests.
 */
public class ApiException extends RuntimeException {

    private final int status;
    private final String slug;
    private final String title;
    private final String detail;
    private final Map<String, String> headers;

    /**
     * An error with its own status, slug (the end of the type URI), title and detail, and no extra headers.
     */
    public ApiException(int status, String slug, String title, String detail) {
        this(status, slug, title, detail, Map.of());
    }

    private ApiException(int status, String slug, String title, String detail, Map<String, String> headers) {
        super(detail, null, false, false);
        this.status = status;
        this.slug = slug;
        this.title = title;
        this.detail = detail;
        this.headers = Map.copyOf(headers);
    }

    private static ApiException of(ProblemType type, String detail) {
        return new ApiException(type.status(), type.slug(), type.title(), detail);
    }

    /** 400: the request is malformed or a field is invalid; the detail should name the field. */
    public static ApiException badRequest(String detail) {
        return of(ProblemType.BAD_REQUEST, detail);
    }

    /** 403: the caller may not do this (for instance, release a task that is not its pool's own). */
    public static ApiException forbidden(String detail) {
        return of(ProblemType.FORBIDDEN, detail);
    }

    /** 404: the named thing (a pool, usually) does not exist. */
    public static ApiException notFound(String detail) {
        return of(ProblemType.NOT_FOUND, detail);
    }

    /** 413: the body or payload is over the configured limit; the detail should state the limit. */
    public static ApiException payloadTooLarge(String detail) {
        return of(ProblemType.PAYLOAD_TOO_LARGE, detail);
    }

    /**
     * 503 with {@code Retry-After} set to {@code retryAfter} in whole seconds, rounded up and at least 1 (the
     * header has second precision, and 0 would invite an immediate retry storm).
     */
    public static ApiException unavailable(String detail, Duration retryAfter) {
        long millis = Math.max(0, retryAfter.toMillis());
        long seconds = Math.max(1, (millis + 999) / 1000);
        ProblemType type = ProblemType.SERVICE_UNAVAILABLE;
        return new ApiException(type.status(), type.slug(), type.title(), detail,
                Map.of("Retry-After", Long.toString(seconds)));
    }

    /**
     * The problem the leading replica answered a passed-on call with, as it gave it (its type's slug, title, detail and
     * Retry-After).
     */
    public static ApiException fromLeader(int status, String typeUri, String title, String detail,
            java.util.Optional<String> retryAfter) {
        String slug = typeUri.substring(typeUri.lastIndexOf('/') + 1);
        return new ApiException(status, slug.isEmpty() ? "internal" : slug, title, detail,
                retryAfter.map(r -> Map.of("Retry-After", r)).orElse(Map.of()));
    }

    /**
     * 502: an upstream service failed after it had the request, so it may have acted on it (a job may be enqueued).
     * Unlike a 503, a retry may repeat what already happened.
     */
    public static ApiException outcomeUnknown(String detail) {
        return of(ProblemType.OUTCOME_UNKNOWN, detail);
    }

    /**
     * 409 {@code idempotency-key-in-progress} with {@code Retry-After}: another request holds the submission's
     * {@code Idempotency-Key} and is still under way; nothing was enqueued by this one.
     */
    public static ApiException idempotencyKeyInProgress(String detail, Duration retryAfter) {
        long seconds = Math.max(1, (Math.max(0, retryAfter.toMillis()) + 999) / 1000);
        return new ApiException(409, "idempotency-key-in-progress", "Idempotency-Key In Progress", detail,
                Map.of("Retry-After", Long.toString(seconds)));
    }

    /**
     * 422 {@code null-payload}: a job's {@code payload} is JSON {@code null}; nothing was enqueued, of a batch no
     * entry.
     */
    public static ApiException nullPayload(String detail) {
        return new ApiException(422, "null-payload", "Null Payload", detail);
    }

    /**
     * 422 {@code idempotency-key-reused}: the submission's {@code Idempotency-Key} was first used for a different
     * request; nothing was enqueued.
     */
    public static ApiException idempotencyKeyReused(String detail) {
        return new ApiException(422, "idempotency-key-reused", "Idempotency-Key Reused", detail);
    }

    /**
     * 422 {@code pool-refused}: a pool definition that reads but cannot be managed (a bound, its queue or service, the
     * naming convention); the detail says why. Nothing was stored.
     */
    public static ApiException poolRefused(String detail) {
        return new ApiException(422, "pool-refused", "Pool Refused", detail);
    }

    /** 412 {@code precondition-failed}: {@code If-Match} or {@code If-None-Match} did not hold; nothing was written. */
    public static ApiException preconditionFailed(String detail) {
        return new ApiException(412, "precondition-failed", "Precondition Failed", detail);
    }

    /**
     * 401 with {@code WWW-Authenticate: Bearer} (RFC 6750 §3); {@code invalidToken} adds
     * {@code error="invalid_token"} when a token was presented but not accepted.
     */
    public static ApiException unauthorized(String detail, boolean invalidToken) {
        ProblemType type = ProblemType.UNAUTHORIZED;
        String challenge = "Bearer realm=\"coscale\"" + (invalidToken ? ", error=\"invalid_token\"" : "");
        return new ApiException(type.status(), type.slug(), type.title(), detail, Map.of("WWW-Authenticate", challenge));
    }

    /** The HTTP status of the response. */
    public int status() {
        return status;
    }

    /** The slug of the problem type URI. */
    public String slug() {
        return slug;
    }

    /** The detail shown to the client. */
    public String detail() {
        return detail;
    }

    /** Headers the response must carry, such as {@code Retry-After}; never null. */
    public Map<String, String> headers() {
        return headers;
    }

    /** This error as a problem details body. */
    public Problem problem() {
        return new Problem(ProblemType.uriOf(slug), title, status, detail);
    }
}
