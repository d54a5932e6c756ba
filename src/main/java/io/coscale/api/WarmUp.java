package io.coscale.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.coscale.api.auth.Role;
import io.coscale.config.AuthConfig;
import io.coscale.config.TokenSecretSource;
import io.coscale.config.TokenSecrets;
import io.coscale.config.WarmUpConfig;
import io.coscale.control.QueueRehearsal;
import io.coscale.domain.OutgoingMessage;
import io.coscale.domain.SendOutcome;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.vertx.http.HttpServerStart;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.event.ObservesAsync;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.LongAdder;
import org.jboss.logging.Logger;

/**
 * A replica's warm-up: for {@code coscale.warm-up.duration} after start, before it reports ready, it runs the hot
 * path of {@code POST /jobs} on synthetic jobs so that the JIT has compiled it when the load balancer's traffic
 * comes (a cold JVM serves a third of its warm throughput for half a minute). Nothing it does leaves the replica or
 * changes anything: each job is read as JSON and parsed as a submission is, then sent through a send queue of its own
 * ({@link QueueRehearsal}) on a client of its own to a stand-in for SQS on a loopback port; no
 * pool counts it, no queue gets it, ECS hears nothing. Beside them, requests to its own port post the same body to
 * {@code /v1/pools/warm-up.none/jobs}, a pool no name can be (a dot), which the API reads and answers 404 before
 * anything is enqueued: the HTTP server, the token check, the routing, the body reading and the problem answer are
 * warm too. With auth on they present the first configured token with the {@code submit} role (over loopback, never
 * logged); with none, they are not made, since a refused call would be counted as one ({@code coscale_auth_refused}).
 *
 * <p>Bounded: it ends at its duration after start whatever happens, and at once when anything answers otherwise than
 * expected; readiness waits for its end ({@link #warming()}), never for its success.
 */
@ApplicationScoped
public class WarmUp {

    private static final Logger LOG = Logger.getLogger(WarmUp.class);
    /** Jobs in flight at once, each kind: enough to merge sends into full batches and keep both cores busy. */
    static final int CONCURRENCY = 32;
    static final String POOL = "warm-up.none";
    private static final String QUEUE_URL = "http://127.0.0.1/000000000000/coscale-warm-up";
    private static final byte[] JOB = "{\"payload\": {\"seconds\": 1, \"warm-up\": true}, \"attributes\": {\"kind\": \"warm-up\"}}"
            .getBytes(StandardCharsets.UTF_8);

    private final Vertx vertx;
    private final ObjectMapper mapper;
    private final JobParser parser = new JobParser(1024 * 1024);
    private final Duration duration;
    private final boolean selfRequests;
    private final Optional<String> bearer;
    private final LongAdder jobs = new LongAdder();
    private final LongAdder requests = new LongAdder();
    // @GuardedBy("this")
    private long startedAt;
    // @GuardedBy("this")
    private int port;
    // @GuardedBy("this")
    private QueueRehearsal rehearsal;
    // @GuardedBy("this")
    private HttpClient http;
    private volatile boolean warming;
    private volatile boolean started;

    @Inject
    WarmUp(Vertx vertx, ObjectMapper mapper, WarmUpConfig config, AuthConfig auth, Instance<TokenSecretSource> tokenSecret) {
        this(vertx, mapper, config.duration(), !auth.enabled() || submitSecret(auth, tokenSecret).isPresent(),
                auth.enabled() ? submitSecret(auth, tokenSecret) : Optional.empty());
    }

    /**
     * @param selfRequests whether it posts to its own API (on {@link HttpServerStart})
     * @param bearer       the secret those requests present, if auth is on
     */
    WarmUp(Vertx vertx, ObjectMapper mapper, Duration duration, boolean selfRequests, Optional<String> bearer) {
        this.vertx = vertx;
        this.mapper = mapper;
        this.duration = duration;
        this.selfRequests = selfRequests;
        this.bearer = bearer;
        this.warming = !duration.isZero() && !duration.isNegative();
    }

    /** The current secret of the first configured token (by name) with the submit role, as the auth filter accepts it. */
    private static Optional<String> submitSecret(AuthConfig auth, Instance<TokenSecretSource> tokenSecret) {
        Map<String, String> document = tokenSecret.isResolvable() ? tokenSecret.get().current() : Map.of();
        return TokenSecrets.resolve(auth.tokens(), document).stream()
                .filter(token -> token.roles().stream().anyMatch(role -> role.equalsIgnoreCase(Role.SUBMIT.key())))
                .flatMap(token -> token.secrets().stream()).findFirst();
    }

    /** Whether the warm-up runs still: readiness waits for it to end. */
    public boolean warming() {
        return warming;
    }

    /** Synthetic jobs sent to the stand-in so far, and requests answered by this replica's own API. */
    long jobs() {
        return jobs.sum();
    }

    long requests() {
        return requests.sum();
    }

    void onStart(@Observes StartupEvent event) {
        if (!warming) {
            return;
        }
        synchronized (this) {
            startedAt = System.nanoTime();
            started = true;
        }
        vertx.setTimer(duration.toMillis(), id -> end(null));
        QueueRehearsal.start(vertx).whenComplete((sends, failure) -> {
            if (failure != null) {
                end("the stand-in for SQS did not start: " + failure);
                return;
            }
            synchronized (this) {
                if (!warming) {
                    sends.close();
                    return;
                }
                rehearsal = sends;
            }
            for (int i = 0; i < CONCURRENCY; i++) {
                rehearse(sends);
            }
        });
        startSelfRequests();
    }

    void onHttpStart(@ObservesAsync HttpServerStart event) {
        synchronized (this) {
            port = event.options().getPort();
        }
        startSelfRequests();
    }

    void onStop(@Observes ShutdownEvent event) {
        end(null);
    }

    /** One synthetic job read, parsed and sent; the next follows its answer until the warm-up ends. */
    private void rehearse(QueueRehearsal sends) {
        if (!warming) {
            return;
        }
        OutgoingMessage message;
        try {
            message = parser.parse(mapper.readTree(JOB), QUEUE_URL);
        } catch (Exception e) {
            end("a synthetic job could not be parsed: " + e);
            return;
        }
        sends.send(QUEUE_URL, List.of(message)).whenComplete((outcomes, failure) -> {
            SendOutcome outcome = failure == null ? outcomes.get(0) : null;
            if (outcome == null || !outcome.accepted()) {
                end("the stand-in for SQS did not accept a job: " + (failure != null ? failure : outcome));
                return;
            }
            try {
                mapper.writeValueAsBytes(new JobsResource.Accepted(outcome.jobId(), POOL, 1));
            } catch (Exception e) {
                end("an answer could not be written: " + e);
                return;
            }
            jobs.increment();
            rehearse(sends);
        });
    }

    private void startSelfRequests() {
        HttpClient client;
        int to;
        synchronized (this) {
            if (!selfRequests || !started || port <= 0 || http != null || !warming) {
                return;
            }
            http = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true).setTcpNoDelay(true),
                    new PoolOptions().setHttp1MaxSize(CONCURRENCY));
            client = http;
            to = port;
        }
        RequestOptions request = new RequestOptions().setMethod(HttpMethod.POST).setHost("127.0.0.1").setPort(to)
                .setURI("/v1/pools/" + POOL + "/jobs").putHeader("Content-Type", "application/json");
        bearer.ifPresent(secret -> request.putHeader("Authorization", "Bearer " + secret));
        for (int i = 0; i < CONCURRENCY; i++) {
            selfRequest(client, request);
        }
    }

    /** One POST of a job to a pool that cannot exist; the next follows its 404 until the warm-up ends. */
    private void selfRequest(HttpClient client, RequestOptions request) {
        if (!warming) {
            return;
        }
        client.request(request)
                .compose(r -> r.send(Buffer.buffer(JOB)))
                .compose(response -> response.body().map(body -> response.statusCode()))
                .onComplete(answer -> {
                    if (answer.failed() || answer.result() != 404) {
                        end("this replica's API answered a job for pool " + POOL + " with "
                                + (answer.failed() ? answer.cause() : answer.result()) + ", not 404");
                        return;
                    }
                    requests.increment();
                    selfRequest(client, request);
                });
    }

    /** Ends the warm-up, once: at its bound ({@code failure} null) or at the first failure. Never throws. */
    private void end(String failure) {
        QueueRehearsal sends;
        HttpClient client;
        long took;
        synchronized (this) {
            if (!warming) {
                return;
            }
            warming = false;
            sends = rehearsal;
            client = http;
            took = System.nanoTime() - startedAt;
        }
        String summary = String.format(Locale.ROOT, "%.1f s: %d synthetic jobs sent to a stand-in for SQS, %d requests "
                + "answered by this replica's API", took / 1e9, jobs.sum(), requests.sum());
        if (failure == null) {
            LOG.infof("Warm-up done after %s", summary);
        } else {
            LOG.warnf("Warm-up ended early after %s: %s", summary, failure);
        }
        // Closed once the calls in flight have ended: the loops above stop at their next answer.
        Runnable close = () -> {
            if (sends != null) {
                sends.close();
            }
            if (client != null) {
                client.close();
            }
        };
        try {
            vertx.setTimer(1_000, id -> close.run());
        } catch (IllegalStateException closing) {
            close.run();
        }
    }
}
