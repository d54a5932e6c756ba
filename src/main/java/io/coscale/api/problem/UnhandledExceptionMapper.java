package io.coscale.api.problem;

import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * Anything no other mapper claims → 500 with a generic detail. The stack trace goes to the log only, under an
 * incident id that is also the problem's {@code instance}, so an operator can find the trace a client reports
 * without the client ever seeing internals.
 */
@Provider
public class UnhandledExceptionMapper implements ExceptionMapper<Throwable> {

    private static final Logger LOG = Logger.getLogger(UnhandledExceptionMapper.class);

    /** Logs {@code e} with a fresh incident id and answers 500 {@code internal} carrying that id. */
    @Override
    public Response toResponse(Throwable e) {
        String incident = "urn:uuid:" + UUID.randomUUID();
        LOG.errorf(e, "Unhandled error, incident %s", incident);
        return Problem.of(ProblemType.INTERNAL, "The server could not process this request; quote the instance id when reporting it.")
                .withInstance(incident)
                .toResponse()
                .build();
    }
}
