package io.coscale.api;

import io.coscale.lease.LeaderLink;
import io.coscale.lease.Leadership;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import java.util.Optional;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * Pool status, events and samples read on a replica that does not lead come from the leader: it alone knows which
 * tasks are busy and protected, and what it changed and why, so an operator behind a load balancer sees one truth
 * whichever replica answers. When the leader cannot be reached (the lease is changing hands) this replica answers
 * with its own view. Runs after authentication; a read already passed on once is answered here.
 */
public class FollowerReads {

    private final Leadership leadership;
    private final LeaderLink leader;

    @Inject
    FollowerReads(Leadership leadership, LeaderLink leader) {
        this.leadership = leadership;
        this.leader = leader;
    }

    @ServerRequestFilter(priority = Priorities.USER + 100)
    public Uni<Response> passReadsToTheLeader(ContainerRequestContext request) {
        String method = request.getMethod();
        String path = request.getUriInfo().getPath();
        if (!(method.equals("GET") || method.equals("HEAD")) || !path.startsWith("/v1/pools") || leadership.isLeader()
                || request.getHeaderString(LeaderLink.FORWARDED) != null || leadership.leaderAddress().isEmpty()) {
            return Uni.createFrom().nullItem();
        }
        String query = request.getUriInfo().getRequestUri().getRawQuery();
        return Uni.createFrom().completionStage(() -> leader.get(path + (query == null ? "" : "?" + query),
                        Optional.ofNullable(request.getHeaderString(HttpHeaders.AUTHORIZATION))))
                .map(answer -> {
                    Response.ResponseBuilder response = Response.status(answer.status()).entity(answer.body());
                    answer.contentType().ifPresent(type -> response.header(HttpHeaders.CONTENT_TYPE, type));
                    answer.retryAfter().ifPresent(after -> response.header("Retry-After", after));
                    // The pages of GET /v1/pools link to the next one, and a definition carries its version.
                    answer.headers().forEach(response::header);
                    return response.build();
                })
                .onFailure().recoverWithNull();
    }
}
