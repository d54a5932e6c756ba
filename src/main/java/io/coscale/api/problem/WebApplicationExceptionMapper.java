package io.coscale.api.problem;

import com.fasterxml.jackson.core.JsonProcessingException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Request;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import org.jboss.logging.Logger;

/**
 * Any JAX-RS {@link WebApplicationException} (unknown path 404, wrong method 405, wrong media type 415, and the
 * 400 quarkus-rest raises for unreadable JSON) → a problem with the same status. A wrong method on one of the
 * API's paths is always 405 with an {@code Allow} header (RFC 9110 §15.5.6): quarkus-rest 3.33 sets none, and
 * answers 404 when the path's resource class has no method of that verb, so {@link ApiRoutes} supplies both.
 */
@Provider
public class WebApplicationExceptionMapper implements ExceptionMapper<WebApplicationException> {

    private static final Logger LOG = Logger.getLogger(WebApplicationExceptionMapper.class);

    // JAX-RS fills in "HTTP 404 Not Found" when no message is given; that says nothing the status doesn't.
    private static final Pattern DEFAULT_MESSAGE = Pattern.compile("HTTP \\d{3}.*");

    // The request this exception ended, for the wrong-method check; injected per request by quarkus-rest.
    @Context
    UriInfo uriInfo;

    @Context
    Request request;

    /**
     * A problem with the exception's status (405 for a wrong method on a known path), a useful detail, and the
     * {@code Allow} header of a 405.
     */
    @Override
    public Response toResponse(WebApplicationException e) {
        Optional<String> allowed = wrongMethod(e.getResponse().getStatus());
        if (allowed.isPresent()) {
            return Problem.of(ProblemType.METHOD_NOT_ALLOWED, request.getMethod() + " is not allowed on this path; use "
                    + allowed.get() + ".").toResponse().header(HttpHeaders.ALLOW, allowed.get()).build();
        }
        int status = e.getResponse().getStatus();
        if (status >= 500) {
            LOG.error("Request failed with a server error", e);
        }
        Problem problem = e.getCause() instanceof JsonProcessingException json
                ? JsonProblems.problemFor(json)
                : Problem.forStatus(status, detailFor(status, e.getMessage()));
        Response.ResponseBuilder response = problem.toResponse();
        List<Object> allow = e.getResponse().getHeaders().get(HttpHeaders.ALLOW);
        if (allow != null && !allow.isEmpty()) {
            allow.forEach(value -> response.header(HttpHeaders.ALLOW, value));
        }
        return response.build();
    }

    /**
     * The {@code Allow} value when this 404 or 405 is a method the request's path does not take; empty when the path
     * is not one of the API's, or takes the method (a resource's own 404, such as a local cloud that is absent).
     */
    private Optional<String> wrongMethod(int status) {
        if ((status != 404 && status != 405) || uriInfo == null || request == null) {
            return Optional.empty();
        }
        String path = uriInfo.getPath();
        boolean takes = ApiRoutes.methodsOf(path).map(methods -> methods.contains(request.getMethod())
                || (request.getMethod().equals("HEAD") && methods.contains("GET"))).orElse(true);
        return takes ? Optional.empty() : ApiRoutes.allowHeader(path);
    }

    /**
     * The client-facing detail: the exception's message when someone wrote one for the client, otherwise a fixed
     * sentence per status. 5xx messages are never shown, since they may describe internals; nor are quarkus-rest's
     * own 406/415 messages, which name the Java annotation ({@code @Consumes}) instead of the media type to send.
     */
    static String detailFor(int status, String message) {
        boolean useful = message != null && !message.isBlank() && !DEFAULT_MESSAGE.matcher(message).matches()
                && status != 406 && status != 415;
        if (useful && status < 500) {
            return message;
        }
        return switch (status) {
            case 400 -> "The request is malformed.";
            case 404 -> "No resource exists at this path.";
            case 405 -> "This method is not allowed on this path.";
            case 406 -> "No representation matches the Accept header; coscale serves application/json.";
            case 415 -> "Unsupported Content-Type; send application/json.";
            default -> status >= 500 ? "The server could not process this request." : "The request was refused.";
        };
    }
}
