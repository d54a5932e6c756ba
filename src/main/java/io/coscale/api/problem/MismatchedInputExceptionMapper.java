package io.coscale.api.problem;

import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;

/**
 * A JSON value of the wrong type ({@code "delaySeconds": "soon"}) → 400 problem naming the field. This exact type
 * is needed to displace quarkus-rest's built-in {@code BuiltinMismatchedInputExceptionMapper}, which answers with
 * its own non-problem JSON; a mapper for a supertype would lose to it.
 */
@Provider
public class MismatchedInputExceptionMapper implements ExceptionMapper<MismatchedInputException> {

    /** A 400 problem whose detail names the field and the expected JSON type. */
    @Override
    public Response toResponse(MismatchedInputException e) {
        return JsonProblems.problemFor(e).toResponse().build();
    }
}
