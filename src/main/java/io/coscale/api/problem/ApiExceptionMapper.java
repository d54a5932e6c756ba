package io.coscale.api.problem;

import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;

/** Turns an {@link ApiException} into its problem response, with the headers it asks for. */
@Provider
public class ApiExceptionMapper implements ExceptionMapper<ApiException> {

    /** The exception's problem, status and headers; nothing is logged, as these are expected outcomes. */
    @Override
    public Response toResponse(ApiException e) {
        Response.ResponseBuilder response = e.problem().toResponse();
        e.headers().forEach(response::header);
        return response.build();
    }
}
