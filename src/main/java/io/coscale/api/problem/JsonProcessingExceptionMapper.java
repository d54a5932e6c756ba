package io.coscale.api.problem;

import com.fasterxml.jackson.core.JsonProcessingException;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;

/**
 * Malformed or mistyped JSON bodies → 400 problem naming the field. Covers the Jackson exceptions that reach the
 * mappers raw; the ones quarkus-rest wraps in a 400 {@code WebApplicationException} are handled by
 * {@link WebApplicationExceptionMapper}, and {@code MismatchedInputException} by its own mapper, because
 * quarkus-rest ships a built-in mapper for that exact type.
 */
@Provider
public class JsonProcessingExceptionMapper implements ExceptionMapper<JsonProcessingException> {

    /** A 400 problem (500 for a server-side binding defect), never Jackson's raw message. */
    @Override
    public Response toResponse(JsonProcessingException e) {
        return JsonProblems.problemFor(e).toResponse().build();
    }
}
