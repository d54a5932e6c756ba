package io.coscale.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.coscale.api.problem.ApiException;
import io.coscale.api.problem.ApiExceptionMapper;
import io.coscale.concurrent.Futures;
import io.coscale.lease.LeaderLink;
import io.coscale.lease.Leadership;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * A worker's claim or release that reaches a replica that does not lead goes to the leader, which alone writes ECS:
 * as it came (body and credentials), and its answer comes back as it gave it. A call already passed on once is not
 * passed on again, and with no leader known or reachable the answer is 503: the worker retries. Runs after
 * authentication, so a follower refuses what the leader would; on the leader the call goes on to
 * {@link WorkerResource}.
 */
public class FollowerWorkerCalls {

    private static final Duration RETRY_AFTER = Duration.ofSeconds(1);
    /** The calls passed on, by path, and what the leader answers each with when it succeeds. */
    private static final Map<String, Class<?>> ANSWERS = Map.of("/v1/claim", WorkerResource.ClaimResponse.class,
            "/v1/release", WorkerResource.ReleaseResponse.class);

    // Reads the leader's answers: a claim's expiresAt is an Instant.
    private static final ObjectMapper JSON = new ObjectMapper().registerModule(new JavaTimeModule());

    private final Leadership leadership;
    private final LeaderLink leader;
    private final ObjectMapper mapper;

    @Inject
    FollowerWorkerCalls(Leadership leadership, LeaderLink leader, ObjectMapper mapper) {
        this.leadership = leadership;
        this.leader = leader;
        this.mapper = mapper;
    }

    // readBody: the body is in memory before this runs, so reading it here waits for nothing. Bound to the worker calls
    // only, so that no other request's body is read ahead of its resource.
    @ServedByLeader
    @ServerRequestFilter(priority = Priorities.USER + 100, readBody = true)
    public Uni<Response> passWorkerCallsToTheLeader(ContainerRequestContext request) {
        String path = request.getUriInfo().getPath();
        Class<?> answerType = ANSWERS.get(path);
        if (answerType == null || !request.getMethod().equals("POST") || leadership.isLeader()) {
            return Uni.createFrom().nullItem();
        }
        String forwardedBy = request.getHeaderString(LeaderLink.FORWARDED);
        if (forwardedBy != null) {
            return problem(ApiException.unavailable("passed on by replica " + forwardedBy + ", but this one does not "
                    + "lead either; the lease is changing hands", RETRY_AFTER));
        }
        Optional<String> body = passedBody(request);
        if (body.isEmpty()) {
            return Uni.createFrom().nullItem(); // no WorkerRequest: the body reader answers 400, as on every replica
        }
        CompletableFuture<Response> answer = leader.passOn(path, body.get(),
                        Optional.ofNullable(request.getHeaderString(HttpHeaders.AUTHORIZATION)))
                .thenApply(passed -> {
                    try {
                        if (passed.status() == 200) {
                            return Response.ok(JSON.readValue(passed.body(), answerType), MediaType.APPLICATION_JSON).build();
                        }
                        JsonNode problem = JSON.readTree(passed.body());
                        return problemResponse(ApiException.fromLeader(passed.status(), problem.path("type").asText(""),
                                problem.path("title").asText(""), problem.path("detail").asText(""), passed.retryAfter()));
                    } catch (JsonProcessingException e) {
                        return problemResponse(ApiException.unavailable("the leader's answer could not be read: "
                                + e.getOriginalMessage(), RETRY_AFTER));
                    }
                })
                .exceptionally(e -> problemResponse(ApiException.unavailable("no leader reachable ("
                        + Futures.cause(e).getMessage() + "); nothing changed", RETRY_AFTER)));
        return Uni.createFrom().completionStage(answer);
    }

    /**
     * The call's {@link WorkerResource.WorkerRequest} as the leader gets it (an empty body as {@code {}}); empty when
     * the body does not read as one (malformed JSON, say), and then it is left as it came to the resource's reader,
     * which refuses it as it would on any replica.
     */
    private Optional<String> passedBody(ContainerRequestContext request) {
        byte[] bytes;
        try {
            bytes = request.getEntityStream().readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try {
            WorkerResource.WorkerRequest call = bytes.length == 0 ? null
                    : mapper.readValue(bytes, WorkerResource.WorkerRequest.class);
            return Optional.of(JSON.writeValueAsString(call == null ? JSON.createObjectNode() : call));
        } catch (IOException e) {
            request.setEntityStream(new ByteArrayInputStream(bytes));
            return Optional.empty();
        }
    }

    private static Uni<Response> problem(ApiException e) {
        return Uni.createFrom().item(problemResponse(e));
    }

    // A filter's answer skips the exception mappers, so the problem response is built here from the same exception.
    private static Response problemResponse(ApiException e) {
        return new ApiExceptionMapper().toResponse(e);
    }
}
