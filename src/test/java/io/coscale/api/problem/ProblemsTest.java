package io.coscale.api.problem;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonMappingException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The pure parts of error reporting: type URIs, factories, Retry-After, JSON field paths. */
class ProblemsTest {

    @Test
    void factoriesSetStatusTypeAndTitle() {
        Problem p = ApiException.payloadTooLarge("over 262144 bytes").problem();
        assertEquals(new Problem("https://coscale.io/problems/payload-too-large", "Payload Too Large", 413,
                "over 262144 bytes"), p);
        assertEquals("https://coscale.io/problems/not-found", ApiException.notFound("x").problem().type());
        assertEquals(400, ApiException.badRequest("x").status());
        assertEquals(403, ApiException.forbidden("x").status());
        assertEquals("https://coscale.io/problems/queue-full",
                new ApiException(503, "queue-full", "Queue Full", "x").problem().type());
    }

    @ParameterizedTest
    @CsvSource({"0, 1", "1, 1", "999, 1", "1000, 1", "1001, 2", "2500, 3", "-5, 1"})
    void retryAfterIsWholeSecondsRoundedUpAtLeastOne(long millis, String header) {
        ApiException e = ApiException.unavailable("queue unreachable", Duration.ofMillis(millis));
        assertEquals(503, e.status());
        assertEquals("service-unavailable", e.slug());
        assertEquals(header, e.headers().get("Retry-After"));
    }

    @Test
    void statusesWithoutACoscaleTypeAreAboutBlank() {
        assertEquals(new Problem("about:blank", "Gone", 410, "d"), Problem.forStatus(410, "d"));
        assertEquals("https://coscale.io/problems/internal", Problem.forStatus(500, "d").type());
    }

    @Test
    void fieldPathsNameNestedFieldsAndIndexes() {
        List<JsonMappingException.Reference> path = List.of(
                new JsonMappingException.Reference(null, "jobs"),
                new JsonMappingException.Reference(null, 3),
                new JsonMappingException.Reference(null, "delaySeconds"));
        assertEquals(Optional.of("jobs[3].delaySeconds"), JsonProblems.fieldPath(path));
        assertEquals(Optional.empty(), JsonProblems.fieldPath(List.of()));
    }

    @ParameterizedTest
    @CsvSource({"404, , No resource exists at this path.", "404, HTTP 404 Not Found, No resource exists at this path.",
            "409, already released, already released", "502, secret internals, The server could not process this request."})
    void webApplicationDetails(int status, String message, String detail) {
        assertEquals(detail, WebApplicationExceptionMapper.detailFor(status, message));
    }
}
