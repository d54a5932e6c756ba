package io.coscale.deploy;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A loopback stand-in for an Application Load Balancer and its target group, as far as a deploy sees them: each
 * registered target is health-checked on {@code path} every {@code interval} with {@code timeout}; it starts
 * {@link State#INITIAL}, becomes {@link State#HEALTHY} after {@code healthyThreshold} successes in a row (a 200) and
 * {@link State#UNHEALTHY} after {@code unhealthyThreshold} failures in a row. Requests go round-robin to healthy
 * targets only; with none, the balancer answers 503 as an ALB does. {@link #deregister} drains a target: no new
 * requests, those in flight finish, and it is gone after the deregistration delay.
 */
final class TargetGroupBalancer implements AutoCloseable {

    /** A target's state, as the target group reports it. */
    enum State { INITIAL, HEALTHY, UNHEALTHY, DRAINING }

    /** A request the balancer answered 5xx (its own 502 or 503, or a target's): path, status, System.nanoTime(). */
    record Failure(String path, int status, long atNanos) {
    }

    /** The target group's health check and deregistration delay, as the template declares them. */
    record Settings(String path, Duration interval, Duration timeout, int healthyThreshold, int unhealthyThreshold,
            Duration deregistrationDelay) {
    }

    private static final Set<String> HOP_BY_HOP = Set.of("connection", "content-length", "host", "transfer-encoding",
            "upgrade", "keep-alive", "expect");

    private final Settings settings;
    private final HttpServer server;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();
    private final ScheduledExecutorService checks = Executors.newScheduledThreadPool(2);
    private final ExecutorService handlers = Executors.newFixedThreadPool(32);
    private final Map<Integer, Target> targets = new ConcurrentHashMap<>();
    private final AtomicInteger next = new AtomicInteger();
    private final AtomicInteger turnedUnhealthy = new AtomicInteger();
    private final Queue<Failure> failures = new ConcurrentLinkedQueue<>();

    private final class Target {
        final int port;
        volatile State state = State.INITIAL;
        int successes;
        int failures;
        boolean wasHealthy;
        ScheduledFuture<?> checking;

        Target(int port) {
            this.port = port;
        }

        void check() {
            boolean ok;
            try {
                ok = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + settings.path()))
                        .timeout(settings.timeout()).GET().build(), HttpResponse.BodyHandlers.discarding())
                        .statusCode() == 200;
            } catch (IOException e) {
                ok = false;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            synchronized (this) {
                if (state == State.DRAINING) {
                    return;
                }
                successes = ok ? successes + 1 : 0;
                failures = ok ? 0 : failures + 1;
                if (successes >= settings.healthyThreshold()) {
                    state = State.HEALTHY;
                    wasHealthy = true;
                } else if (failures >= settings.unhealthyThreshold() && state != State.UNHEALTHY) {
                    if (wasHealthy) {
                        turnedUnhealthy.incrementAndGet();
                    }
                    state = State.UNHEALTHY;
                }
            }
        }
    }

    TargetGroupBalancer(int port, Settings settings) throws IOException {
        this.settings = settings;
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 128);
        server.setExecutor(handlers);
        server.createContext("/", this::forward);
        server.start();
    }

    /** Registers the target on {@code port}: checked at once, then every interval; it gets requests once healthy. */
    void register(int port) {
        Target target = new Target(port);
        targets.put(port, target);
        target.checking = checks.scheduleWithFixedDelay(target::check, 0, settings.interval().toMillis(),
                TimeUnit.MILLISECONDS);
    }

    /** The target's state; null once it is gone. */
    State state(int port) {
        Target target = targets.get(port);
        return target == null ? null : target.state;
    }

    /** How many times a target that had been healthy turned unhealthy. */
    int turnedUnhealthy() {
        return turnedUnhealthy.get();
    }

    /** The healthy targets now. */
    List<Integer> healthy() {
        return targets.values().stream().filter(t -> t.state == State.HEALTHY).map(t -> t.port).sorted().toList();
    }

    /**
     * Deregisters the target: it gets no new request from now on, and this returns once the deregistration delay is
     * over (the requests in flight had that long to finish), when the target is gone.
     */
    void deregister(int port) throws InterruptedException {
        Target target = targets.get(port);
        synchronized (target) {
            target.state = State.DRAINING;
        }
        target.checking.cancel(false);
        // An ALB waits the whole delay, whether requests are still in flight or not.
        TimeUnit.NANOSECONDS.sleep(settings.deregistrationDelay().toNanos());
        targets.remove(port);
    }

    private void forward(HttpExchange exchange) throws IOException {
        try (exchange) {
            Target target = pick();
            if (target == null) {
                answer(exchange, 503);
                return;
            }
            try {
                HttpResponse<byte[]> answer = http.send(request(exchange, target.port),
                        HttpResponse.BodyHandlers.ofByteArray());
                answer.headers().map().forEach((name, values) -> {
                    if (!HOP_BY_HOP.contains(name.toLowerCase(Locale.ROOT))) {
                        exchange.getResponseHeaders().put(name, values);
                    }
                });
                byte[] body = answer.body();
                noteFailure(exchange, answer.statusCode());
                exchange.sendResponseHeaders(answer.statusCode(), body.length == 0 ? -1 : body.length);
                if (body.length > 0) {
                    try (OutputStream out = exchange.getResponseBody()) {
                        out.write(body);
                    }
                }
            } catch (IOException e) {
                answer(exchange, 502); // the target closed or refused the connection
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                answer(exchange, 502);
            }
        }
    }

    private void answer(HttpExchange exchange, int status) throws IOException {
        noteFailure(exchange, status);
        exchange.sendResponseHeaders(status, -1);
    }

    private void noteFailure(HttpExchange exchange, int status) {
        if (status >= 500) {
            failures.add(new Failure(exchange.getRequestURI().getPath(), status, System.nanoTime()));
        }
    }

    /** Every request answered 5xx so far. */
    List<Failure> failures() {
        return List.copyOf(failures);
    }

    private Target pick() {
        List<Target> healthy = targets.values().stream().filter(t -> t.state == State.HEALTHY)
                .sorted(Comparator.comparingInt(t -> t.port)).toList();
        return healthy.isEmpty() ? null : healthy.get(Math.floorMod(next.getAndIncrement(), healthy.size()));
    }

    private static HttpRequest request(HttpExchange exchange, int port) throws IOException {
        byte[] body;
        try (InputStream in = exchange.getRequestBody()) {
            body = in.readAllBytes();
        }
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                        + exchange.getRequestURI())).timeout(Duration.ofSeconds(30))
                .method(exchange.getRequestMethod(), body.length == 0 ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofByteArray(body));
        exchange.getRequestHeaders().forEach((name, values) -> {
            if (!HOP_BY_HOP.contains(name.toLowerCase(Locale.ROOT))) {
                values.forEach(v -> request.header(name, v));
            }
        });
        return request.build();
    }

    @Override
    public void close() {
        server.stop(0);
        checks.shutdownNow();
        handlers.shutdownNow();
    }
}
