package io.coscale.lease;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.coscale.concurrent.Batcher;
import io.coscale.concurrent.Threads;
import io.coscale.config.AuthConfig;
import io.coscale.config.TokenSecretSource;
import io.coscale.config.TokenSecrets;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.jboss.logging.Logger;

/**
 * A follower's line to the leader: it passes on workers' claims and releases as they came, and the jobs it accepted
 * as counts, merged per pool while one call is in flight ({@link Batcher}: a burst costs a handful of calls, as
 * scale-ups do). The leader is reached at the address it advertised in the lease.
 *
 * <p>Counts authenticate with the configured token that has the {@code replica} role: every replica has the same
 * tokens. A call that fails is made again every {@link #COUNT_RETRY} with the same counts until the oldest of them has
 * waited {@link #COUNT_PATIENCE}, then dropped: the jobs are in SQS, and the leader's reconciler counts them by then.
 * Counts that arrive meanwhile go in the next call.
 */
@ApplicationScoped
public class LeaderLink implements CountForwarding {

    /** The header that marks a request one replica passed to another: never passed on again. */
    public static final String FORWARDED = "X-Coscale-Forwarded";
    static final Duration COUNT_PATIENCE = Duration.ofSeconds(10);
    static final Duration COUNT_RETRY = Duration.ofMillis(500);
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration READ_TIMEOUT = Duration.ofSeconds(5);
    private static final Logger LOG = Logger.getLogger(LeaderLink.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Jobs of a pool this replica accepted, to be counted by the leader; {@code sinceNanos}: when they were accepted. */
    private record Count(int jobs, List<String> groups, long sinceNanos) {
    }

    private final Leadership leadership;
    private final AuthConfig auth;
    private final TokenSecretSource tokenSecret;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(Threads.daemon("coscale-leader-link"));
    /** Counts by pool: one call per pool in flight, whatever arrives meanwhile merged into the next. */
    private final Batcher<String, Count, Boolean> counts = Batcher.async(Integer.MAX_VALUE, timer, this::deliver,
            (a, b) -> true);
    /** The last call to a leader: where, when (System.nanoTime()) and whether it got an answer; null before any. */
    private volatile LastCall lastCall;

    private record LastCall(String address, long atNanos, boolean answered) {
    }

    @Inject
    LeaderLink(Leadership leadership, AuthConfig auth, TokenSecretSource tokenSecret) {
        this.leadership = leadership;
        this.auth = auth;
        this.tokenSecret = tokenSecret;
    }

    /**
     * The secret this replica passes its counts with: its own credential, the current secret of the token with the
     * {@code replica} role; empty with auth off (or no such token, which start-up warns of).
     */
    private Optional<String> countToken() {
        if (!auth.enabled()) {
            return Optional.empty();
        }
        return TokenSecrets.resolve(auth.tokens(), tokenSecret.current()).stream()
                .filter(t -> t.roles().stream().anyMatch(r -> r.strip().equalsIgnoreCase("replica")))
                .flatMap(t -> t.secrets().stream()).findFirst();
    }

    /** The leader's answer headers a replica passes on with a read: paging and versions. */
    static final List<String> PASSED_HEADERS = List.of("Link", "X-Total-Count", "ETag");

    /**
     * One call as the leader answered it.
     *
     * @param headers the leader's {@link #PASSED_HEADERS} it sent, by name
     */
    public record Answer(int status, String body, Optional<String> retryAfter, Optional<String> contentType,
            Map<String, String> headers) {
    }

    /**
     * Passes a worker's call ({@code /v1/claim} or {@code /v1/release}) to the leader as it came, with the caller's
     * own credentials. Fails with {@link NotLeaderException} when no leader is known.
     */
    public CompletableFuture<Answer> passOn(String path, String body, Optional<String> authorization) {
        return call(path, CALL_TIMEOUT, authorization, b -> b.header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    /** Reads {@code pathAndQuery} from the leader with the caller's own credentials; fails as {@link #passOn} does. */
    public CompletableFuture<Answer> get(String pathAndQuery, Optional<String> authorization) {
        return call(pathAndQuery, READ_TIMEOUT, authorization, HttpRequest.Builder::GET);
    }

    /** One call to the leader, marked as passed on by this replica; its answer as it gave it. */
    private CompletableFuture<Answer> call(String pathAndQuery, Duration timeout, Optional<String> authorization,
            UnaryOperator<HttpRequest.Builder> method) {
        Optional<String> leader = leader();
        if (leader.isEmpty()) {
            return CompletableFuture.failedFuture(noLeader());
        }
        HttpRequest.Builder request = method.apply(HttpRequest.newBuilder(URI.create(leader.get() + pathAndQuery))
                .timeout(timeout).header(FORWARDED, leadership.selfId()));
        authorization.ifPresent(a -> request.header("Authorization", a));
        return noted(leader.get(), http.sendAsync(request.build(), HttpResponse.BodyHandlers.ofString())).thenApply(r ->
                new Answer(r.statusCode(), r.body(), r.headers().firstValue("Retry-After"),
                        r.headers().firstValue("Content-Type"), passed(r.headers())));
    }

    private static Map<String, String> passed(HttpHeaders headers) {
        Map<String, String> passed = new LinkedHashMap<>();
        PASSED_HEADERS.forEach(name -> headers.firstValue(name).ifPresent(value -> passed.put(name, value)));
        return passed;
    }

    /** Notes whether {@code call} to the leader at {@code address} got an answer (any HTTP status is one). */
    private <T> CompletableFuture<HttpResponse<T>> noted(String address, CompletableFuture<HttpResponse<T>> call) {
        long at = System.nanoTime();
        return call.whenComplete((response, failure) -> lastCall = new LastCall(address, at, failure == null));
    }

    /**
     * When the last call this replica passed to the leader it knows now got no answer (no connection, a timeout): how
     * long ago that call was made. Empty when that call was answered, or no call went to this leader yet.
     */
    public Optional<Duration> sinceUnansweredCall() {
        LastCall last = lastCall;
        if (last == null || last.answered() || !leader().equals(Optional.of(last.address()))) {
            return Optional.empty();
        }
        return Optional.of(Duration.ofNanos(System.nanoTime() - last.atNanos()));
    }

    /** The leader's address, when another replica leads and this one knows where. */
    private Optional<String> leader() {
        return leadership.leaderAddress().filter(a -> !leadership.isLeader());
    }

    private static NotLeaderException noLeader() {
        return new NotLeaderException("no leader is known", Optional.empty());
    }

    @Override
    public void forward(String pool, int jobs, List<String> messageGroups) {
        counts.submit(pool, new Count(jobs, List.copyOf(messageGroups), System.nanoTime()));
    }

    /** One call with the counts merged while the last was in flight: {@code true} for each once the leader took it. */
    private CompletableFuture<Map<Count, Boolean>> deliver(String pool, List<Count> merged) {
        int jobs = merged.stream().mapToInt(Count::jobs).sum();
        List<String> groups = merged.stream().flatMap(c -> c.groups().stream()).toList();
        long oldest = merged.stream().mapToLong(Count::sinceNanos).min().orElseThrow();
        CompletableFuture<Boolean> delivered = new CompletableFuture<>();
        attempt(pool, jobs, groups, oldest, delivered);
        return delivered.thenApply(ok -> {
            Map<Count, Boolean> answers = new HashMap<>();
            merged.forEach(c -> answers.put(c, ok));
            return answers;
        });
    }

    private void attempt(String pool, int jobs, List<String> groups, long oldest, CompletableFuture<Boolean> delivered) {
        Optional<String> leader = leader();
        CompletableFuture<Integer> sent = leader.isEmpty()
                ? CompletableFuture.failedFuture(noLeader())
                : noted(leader.get(), http.sendAsync(countsRequest(leader.get(), pool, jobs, groups),
                        HttpResponse.BodyHandlers.discarding())).thenApply(HttpResponse::statusCode);
        sent.whenComplete((status, e) -> {
            if (e == null && status / 100 == 2) {
                delivered.complete(true);
            } else if (System.nanoTime() - oldest > COUNT_PATIENCE.toNanos()) {
                LOG.debugf("gave up passing %d job(s) of pool %s to the leader; its reconciler counts them", jobs, pool);
                delivered.complete(false);
            } else {
                timer.schedule(() -> attempt(pool, jobs, groups, oldest, delivered), COUNT_RETRY.toMillis(),
                        TimeUnit.MILLISECONDS);
            }
        });
    }

    private HttpRequest countsRequest(String leader, String pool, int jobs, List<String> groups) {
        ObjectNode body = JSON.createObjectNode().put("jobs", jobs);
        groups.forEach(body.putArray("messageGroups")::add);
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(leader + "/v1/pools/"
                        + URLEncoder.encode(pool, StandardCharsets.UTF_8) + "/jobs:counted"))
                .timeout(CALL_TIMEOUT).header("Content-Type", "application/json").header(FORWARDED, leadership.selfId())
                .POST(HttpRequest.BodyPublishers.ofString(body.toString()));
        countToken().ifPresent(t -> request.header("Authorization", "Bearer " + t));
        return request.build();
    }

    @PreDestroy
    void close() {
        timer.shutdownNow();
    }
}
