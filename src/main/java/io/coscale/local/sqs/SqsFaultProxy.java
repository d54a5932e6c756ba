package io.coscale.local.sqs;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.coscale.concurrent.Threads;
import io.coscale.local.AwsCallLog;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.jboss.logging.Logger;

/**
 * A fault-injecting HTTP proxy in front of ElasticMQ, so that SQS can fail in the local cloud the ways it fails on
 * AWS without a home-made SQS. It listens on 127.0.0.1 and, per request, under the {@link Faults} in force when the
 * request arrives:
 * <ol>
 *   <li>waits {@code latency};</li>
 *   <li>with probability {@code errorRate} answers SQS's 500 {@code InternalError} in the request's protocol
 *       <em>without</em> forwarding it: nothing happened, and a retry is safe;</li>
 *   <li>otherwise, with probability {@code resetRate}, forwards it, waits for ElasticMQ's answer and drops the
 *       connection instead of relaying it: the change happened but the caller sees a broken connection (a
 *       SendMessage that enqueued and still "failed", whose retry enqueues a duplicate);</li>
 *   <li>otherwise relays it faithfully: method, path and query, body, end-to-end headers, status, answer.</li>
 * </ol>
 * The two draws are independent, so any pair of rates in [0, 1] is valid. Before any of that, a request signed with an
 * access key the proxy knows the secret of (the local cloud's own, {@code local}) must carry a valid SigV4 signature
 * ({@link SigV4Check}), or it is refused with 403 {@code SignatureDoesNotMatch} as SQS would refuse it: ElasticMQ
 * checks none, and a client that signs wrongly must fail here, not first on AWS. Requests signed with other keys go
 * through unchecked, so that any SQS tool can still be pointed at the local cloud. A thread per in-flight request (a cached
 * pool) lets dozens of 20-second long polls wait side by side; connections are kept alive on both sides.
 */
public final class SqsFaultProxy implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(SqsFaultProxy.class);

    static {
        // The JDK server flushes the headers before the body is written; with Nagle on, the body then waits for the
        // client's delayed ACK (40 ms on Linux), adding 40 ms to every SQS call. The property is read once, when the
        // first JDK HttpServer of the JVM is made; a value someone already set is kept.
        System.getProperties().putIfAbsent("sun.net.httpserver.nodelay", "true");
    }

    /** Hop-by-hop headers, and those java.net.http sets itself and refuses from a caller. */
    private static final Set<String> NOT_FORWARDED = Set.of("connection", "keep-alive", "proxy-authenticate",
            "proxy-authorization", "proxy-connection", "te", "trailer", "transfer-encoding", "upgrade", "host",
            "content-length", "expect");
    /** Longer than the longest honest answer: a 20-second long poll. */
    private static final Duration FORWARD_TIMEOUT = Duration.ofSeconds(60);

    /**
     * The faults applied to each request: {@code latency} added before anything else, then {@code errorRate} of
     * requests answered with a 500 that was never forwarded, then {@code resetRate} of the rest forwarded and
     * their connection dropped before the answer.
     */
    public record Faults(Duration latency, double errorRate, double resetRate) {
        /** No latency, no errors, no resets: a faithful proxy. */
        public static final Faults NONE = new Faults(Duration.ZERO, 0, 0);

        public Faults {
            if (latency == null || latency.isNegative()) {
                throw new IllegalArgumentException("latency must be >= 0, was " + latency);
            }
            if (!(errorRate >= 0 && errorRate <= 1) || !(resetRate >= 0 && resetRate <= 1)) {
                throw new IllegalArgumentException("rates must be in [0, 1], were " + errorRate + ", " + resetRate);
            }
        }
    }

    /**
     * Counters since start: every request received, those delayed, those answered with an injected error, and
     * those forwarded whose connection was then dropped; and the requests by who signed them and their action
     * ({@code "local GetQueueAttributes"}; a Query-protocol request's action is {@code Query}), which is what
     * SQS bills. Each counter is exact; a snapshot is not atomic across them.
     */
    public record Stats(long requests, long delayed, long errors, long resets, Map<String, Long> calls) {

        public Stats {
            calls = Map.copyOf(calls);
        }

        /** Counters without the requests by signer and action. */
        public Stats(long requests, long delayed, long errors, long resets) {
            this(requests, delayed, errors, resets, Map.of());
        }
    }

    private final HttpServer server;
    private final ExecutorService executor;
    private final HttpClient client;
    private final String target;
    private final Map<String, String> secrets;
    private volatile Faults faults = Faults.NONE;
    private volatile AwsCallLog callLog = AwsCallLog.NONE;
    private final AtomicLong requests = new AtomicLong();
    private final AtomicLong delayed = new AtomicLong();
    private final AtomicLong errors = new AtomicLong();
    private final AtomicLong resets = new AtomicLong();
    private final Map<String, LongAdder> calls = new ConcurrentHashMap<>();

    private SqsFaultProxy(HttpServer server, ExecutorService executor, String target, Map<String, String> secrets) {
        this.server = server;
        this.secrets = Map.copyOf(secrets);
        this.executor = executor;
        this.target = target.endsWith("/") ? target.substring(0, target.length() - 1) : target;
        this.client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5))
                .executor(executor)
                .build();
    }

    /**
     * Starts a faithful proxy ({@link Faults#NONE}) listening on {@code 127.0.0.1:port} (0 picks a free port) and
     * forwarding to {@code targetEndpoint}, e.g. {@code http://127.0.0.1:9324}; returns once it accepts connections.
     */
    public static SqsFaultProxy start(int port, String targetEndpoint) {
        return start(port, targetEndpoint, Map.of());
    }

    /**
     * As {@link #start(int, String)}, checking the signature of every request signed with one of {@code secrets}'
     * access keys (access key id to secret access key).
     */
    public static SqsFaultProxy start(int port, String targetEndpoint, Map<String, String> secrets) {
        URI.create(targetEndpoint); // fail here, not on the first request
        ExecutorService executor = Executors.newCachedThreadPool(Threads.daemon("sqs-fault-proxy"));
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 128);
            SqsFaultProxy proxy = new SqsFaultProxy(server, executor, targetEndpoint, secrets);
            server.setExecutor(executor);
            server.createContext("/", proxy::handle);
            server.start();
            return proxy;
        } catch (IOException e) {
            executor.shutdownNow();
            throw new UncheckedIOException("cannot listen on 127.0.0.1:" + port, e);
        }
    }

    /** The proxy's endpoint, {@code http://127.0.0.1:<port>}: what SQS clients and queue URLs should name. */
    public String endpoint() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** Replaces the faults; requests already past a step keep the faults they started with. */
    public void set(Faults faults) {
        if (faults == null) {
            throw new IllegalArgumentException("faults must not be null (use Faults.NONE)");
        }
        this.faults = faults;
    }

    /** From now on, records each request as IAM would authorize it (who signed it, action, queue). */
    public void recordCallsTo(AwsCallLog log) {
        this.callLog = log;
    }

    /** The faults in force. */
    public Faults faults() {
        return faults;
    }

    /** The counters since start. */
    public Stats stats() {
        Map<String, Long> byCall = new TreeMap<>();
        calls.forEach((call, n) -> byCall.put(call, n.sum()));
        return new Stats(requests.get(), delayed.get(), errors.get(), resets.get(), byCall);
    }

    /** Stops listening, drops open connections and abandons requests in flight. */
    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }

    private void handle(HttpExchange exchange) {
        // Closing an exchange before its response headers were sent closes the connection: that is the reset.
        try (exchange) {
            requests.incrementAndGet();
            String target = exchange.getRequestHeaders().getFirst("X-Amz-Target");
            calls.computeIfAbsent(AwsCallLog.accessKey(exchange.getRequestHeaders().getFirst("Authorization")) + " "
                    + (target == null ? "Query" : target.substring(target.indexOf('.') + 1)), k -> new LongAdder()).increment();
            Faults now = faults;
            byte[] body = exchange.getRequestBody().readAllBytes();
            SigV4Check.Refusal refusal = secrets.isEmpty() ? null : SigV4Check.check(exchange.getRequestMethod(),
                    exchange.getRequestURI().getRawPath(), exchange.getRequestURI().getRawQuery(),
                    exchange.getRequestHeaders(), body, secrets::get, java.time.Instant.now());
            if (refusal != null) {
                LOG.warnf("SQS fault proxy refused %s %s: %s: %s", exchange.getRequestMethod(), exchange.getRequestURI(),
                        refusal.code(), refusal.message());
                reply(exchange, SqsErrorResponse.refused(isJson(exchange), refusal.code(), refusal.message()));
                return;
            }
            AwsCallLog log = callLog;
            if (log.enabled()) {
                log.record(SqsIamCalls.of(AwsCallLog.accessKey(exchange.getRequestHeaders().getFirst("Authorization")),
                        exchange.getRequestHeaders().getFirst("X-Amz-Target"), exchange.getRequestURI().getRawPath(),
                        exchange.getRequestURI().getRawQuery(), body));
            }
            if (!now.latency().isZero()) {
                delayed.incrementAndGet();
                TimeUnit.NANOSECONDS.sleep(now.latency().toNanos());
            }
            ThreadLocalRandom random = ThreadLocalRandom.current();
            if (random.nextDouble() < now.errorRate()) {
                errors.incrementAndGet();
                reply(exchange, SqsErrorResponse.internalError(500, isJson(exchange),
                        "injected by the local cloud's SQS fault proxy"));
                return;
            }
            boolean reset = random.nextDouble() < now.resetRate();
            HttpResponse<byte[]> answer;
            try {
                answer = forward(exchange, body);
            } catch (IOException e) {
                // Not a fault anyone asked for: say so, rather than drop the connection like an injected reset.
                LOG.warnf("SQS fault proxy cannot reach ElasticMQ at %s: %s", target, e.toString());
                reply(exchange, SqsErrorResponse.internalError(502, isJson(exchange),
                        "the local cloud's SQS fault proxy cannot reach ElasticMQ: " + e));
                return;
            }
            if (reset) {
                resets.incrementAndGet();
                return;
            }
            relay(exchange, answer);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            // The caller went away (a long poll it gave up on, say): nobody to answer.
            LOG.debugf(e, "SQS fault proxy: %s %s not relayed", exchange.getRequestMethod(), exchange.getRequestURI());
        } catch (RuntimeException e) {
            LOG.errorf(e, "SQS fault proxy failed on %s %s", exchange.getRequestMethod(), exchange.getRequestURI());
        }
    }

    private static boolean isJson(HttpExchange exchange) {
        return SqsErrorResponse.isJson(exchange.getRequestHeaders().getFirst("Content-Type"),
                exchange.getRequestHeaders().getFirst("X-Amz-Target"));
    }

    private HttpResponse<byte[]> forward(HttpExchange exchange, byte[] body) throws IOException, InterruptedException {
        URI uri = exchange.getRequestURI();
        String pathAndQuery = uri.getRawPath() + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(target + pathAndQuery))
                .timeout(FORWARD_TIMEOUT)
                .method(exchange.getRequestMethod(), body.length == 0
                        ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
        for (Map.Entry<String, List<String>> header : exchange.getRequestHeaders().entrySet()) {
            if (!NOT_FORWARDED.contains(header.getKey().toLowerCase())) {
                for (String value : header.getValue()) {
                    request.header(header.getKey(), value);
                }
            }
        }
        return client.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private static void relay(HttpExchange exchange, HttpResponse<byte[]> answer) throws IOException {
        answer.headers().map().forEach((name, values) -> {
            if (!NOT_FORWARDED.contains(name.toLowerCase())) {
                exchange.getResponseHeaders().put(name, values);
            }
        });
        send(exchange, answer.statusCode(), answer.body());
    }

    private static void reply(HttpExchange exchange, SqsErrorResponse error) throws IOException {
        error.headers().forEach(exchange.getResponseHeaders()::add);
        send(exchange, error.status(), error.body());
    }

    private static void send(HttpExchange exchange, int status, byte[] body) throws IOException {
        // -1 is the JDK server's "no body"; 0 would mean chunked.
        exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        if (body.length > 0) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }
}
