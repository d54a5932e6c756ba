package io.coscale.local.ecs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.coscale.concurrent.Threads;
import io.coscale.local.AwsCallLog;
import io.coscale.local.secrets.SecretsEmulator;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Function;
import org.jboss.logging.Logger;

/**
 * The emulator's HTTP transport on 127.0.0.1. {@code POST /} with {@code X-Amz-Target:
 * AmazonEC2ContainerServiceV20141113.<Action>} is the ECS JSON 1.1 API; {@code /v4/<taskId>[/task]} is a
 * task's metadata endpoint, and {@code POST /v4/<taskId>/jobs} takes job events from OS-process workers
 * ({@code {"event": "received" | "deleted" | "failed" | "returned"}}: 204, 404 for an unknown task, 400 otherwise).
 * {@code X-Amz-Target: secretsmanager.<Action>} is the local cloud's Secrets Manager ({@link SecretsEmulator}).
 */
final class EcsHttpServer {

    private static final Logger LOG = Logger.getLogger(EcsHttpServer.class);
    private static final String TARGET_PREFIX = "AmazonEC2ContainerServiceV20141113.";
    private static final String AMZ_JSON = "application/x-amz-json-1.1";

    static {
        // The JDK server flushes the headers before the body is written; with Nagle on, the body then waits for
        // the client's delayed ACK (40 ms on Linux), capping every API call at ~20 per second. The property is read
        // once, when the first JDK HttpServer of the JVM is made; a value someone already set is kept.
        System.getProperties().putIfAbsent("sun.net.httpserver.nodelay", "true");
    }

    private final HttpServer server;
    private final ExecutorService executor;
    private final EcsEmulator emulator;
    private final SecretsEmulator secrets = new SecretsEmulator(EcsState.REGION, EcsState.ACCOUNT);
    private volatile AwsCallLog callLog = AwsCallLog.NONE;

    EcsHttpServer(int port, EcsEmulator emulator) throws IOException {
        this.emulator = emulator;
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 128);
        // One thread per call in flight, however many: injected latency is slept on the call's thread, and AWS delays
        // each call by itself, so a fixed pool would serialize delayed calls and time the emulator instead of its caller.
        this.executor = Executors.newCachedThreadPool(Threads.daemon("ecs-emulator-http"));
        server.setExecutor(executor);
        server.createContext("/", this::handle);
    }

    /** From now on, records each API call as IAM would authorize it, before anything else happens to it. */
    void recordCallsTo(AwsCallLog log) {
        this.callLog = log;
    }

    void start() {
        server.start();
    }

    void stop() {
        server.stop(0);
        executor.shutdownNow();
    }

    String endpoint() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            if (path.startsWith("/v4/")) {
                metadata(exchange, path.substring(4));
            } else {
                api(exchange);
            }
        } catch (RuntimeException e) {
            LOG.error("ECS emulator request failed", e);
        }
    }

    private void api(HttpExchange exchange) throws IOException {
        String target = exchange.getRequestHeaders().getFirst("X-Amz-Target");
        if ("POST".equals(exchange.getRequestMethod()) && target != null
                && target.startsWith(SecretsEmulator.TARGET_PREFIX)) {
            secrets(exchange, target.substring(SecretsEmulator.TARGET_PREFIX.length()));
            return;
        }
        if (!"POST".equals(exchange.getRequestMethod()) || target == null || !target.startsWith(TARGET_PREFIX)) {
            error(exchange, new EcsApiException("UnknownOperationException", 400,
                    "Expected POST with X-Amz-Target: " + TARGET_PREFIX + "<Action>"));
            return;
        }
        String action = target.substring(TARGET_PREFIX.length());
        try {
            JsonNode request = readJson(exchange.getRequestBody());
            record(exchange, accessKey -> EcsIamCalls.of(accessKey, action, request));
            ObjectNode response = emulator.call(action, request);
            send(exchange, 200, AMZ_JSON, response);
        } catch (EcsApiException e) {
            error(exchange, e);
        } catch (EcsEmulator.DroppedConnection e) {
            // No headers sent: closing the exchange (in handle) closes the socket, and the client reads EOF.
            LOG.debug(e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            error(exchange, EcsApiException.server("interrupted"));
        } catch (IOException e) {
            error(exchange, new EcsApiException("SerializationException", 400, "Malformed JSON: " + e.getMessage()));
        } catch (RuntimeException e) {
            // An emulator bug must reach the caller as ECS's 500, not as a dropped connection the SDK retries.
            LOG.errorf(e, "ECS emulator failed on %s", action);
            error(exchange, EcsApiException.server(e.toString()));
        }
    }

    /** Records the calls IAM would authorize for this request, by the access key that signed it, when calls are recorded. */
    private void record(HttpExchange exchange, Function<String, List<AwsCallLog.Call>> calls) {
        AwsCallLog log = callLog;
        if (log.enabled()) {
            calls.apply(AwsCallLog.accessKey(exchange.getRequestHeaders().getFirst("Authorization"))).forEach(log::record);
        }
    }

    private void secrets(HttpExchange exchange, String action) throws IOException {
        try {
            JsonNode request = readJson(exchange.getRequestBody());
            record(exchange, accessKey -> secrets.iamCalls(accessKey, action, request));
            send(exchange, 200, AMZ_JSON, secrets.call(action, request));
        } catch (SecretsEmulator.SecretsApiException e) {
            error(exchange, new EcsApiException(e.type(), e.status(), e.getMessage()));
        } catch (IOException e) {
            error(exchange, new EcsApiException("SerializationException", 400, "Malformed JSON: " + e.getMessage()));
        }
    }

    private void metadata(HttpExchange exchange, String rest) throws IOException {
        String[] parts = rest.split("/", 2);
        String taskId = parts[0];
        String sub = parts.length > 1 ? parts[1] : "";
        if (sub.equals("jobs") && "POST".equals(exchange.getRequestMethod())) {
            try {
                String event = readJson(exchange.getRequestBody()).path("event").asText();
                boolean known = emulator.jobEvent(taskId, event);
                send(exchange, known ? 204 : 404, "application/json", null);
            } catch (EcsApiException | IOException e) {
                send(exchange, 400, "application/json", EcsJson.object().put("message", e.getMessage()));
            }
            return;
        }
        Optional<ObjectNode> document = switch (sub) {
            case "" -> emulator.containerMetadata(taskId);
            case "task" -> emulator.taskMetadata(taskId);
            default -> Optional.empty();
        };
        if (document.isPresent()) {
            send(exchange, 200, "application/json", document.get());
        } else {
            send(exchange, 404, "application/json", EcsJson.object().put("message", "no such task or document"));
        }
    }

    private static JsonNode readJson(InputStream body) throws IOException {
        byte[] bytes = body.readAllBytes();
        return bytes.length == 0 ? EcsJson.object() : EcsJson.MAPPER.readTree(bytes);
    }

    private static void error(HttpExchange exchange, EcsApiException e) throws IOException {
        exchange.getResponseHeaders().add("x-amzn-ErrorType", e.type());
        send(exchange, e.status(), AMZ_JSON, EcsJson.object().put("__type", e.type()).put("message", e.getMessage()));
    }

    private static void send(HttpExchange exchange, int status, String contentType, ObjectNode body) throws IOException {
        exchange.getResponseHeaders().add("x-amzn-RequestId", UUID.randomUUID().toString());
        if (body == null) {
            exchange.sendResponseHeaders(status, -1);
            return;
        }
        byte[] bytes = EcsJson.MAPPER.writeValueAsBytes(body);
        exchange.getResponseHeaders().add("Content-Type", contentType);
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }
}
