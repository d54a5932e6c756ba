package io.coscale.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.coscale.local.AwsCallLog;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A loopback forwarder in front of a DynamoDB-compatible server (dynalite) that records each call as IAM would see it,
 * in the {@link AwsCallLog} format the local cloud's SQS and ECS calls are recorded in: who signed it, the action
 * ({@code X-Amz-Target} {@code DynamoDB_20120810.PutItem} is {@code dynamodb:PutItem}), the table's ARN, and the
 * {@code dynamodb:LeadingKeys} condition key (the item's partition key, {@code name}) for the item actions. So the
 * lease and Idempotency-Key calls of packaged replicas are held against the templates' policies with the rest.
 */
public final class DynamoDbCallRecorder implements AutoCloseable {

    /** The ARN prefix of a table as the local Region and account name it (the oracle maps it to the walk-through's). */
    private static final String TABLE_ARN = "arn:aws:dynamodb:us-east-1:000000000000:table/";
    /** Item actions whose request names one item's key: IAM sees its partition key as dynamodb:LeadingKeys. */
    private static final Set<String> ITEM_ACTIONS = Set.of("GetItem", "PutItem", "DeleteItem", "UpdateItem");
    /** Headers the JDK client sets itself. */
    private static final Set<String> NOT_FORWARDED = Set.of("connection", "content-length", "expect", "host", "upgrade", "transfer-encoding");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpServer server;
    private final ExecutorService threads = Executors.newCachedThreadPool();
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();
    private final URI target;
    private final AwsCallLog log;

    private DynamoDbCallRecorder(URI target, Path file) throws IOException {
        this.target = target;
        this.log = AwsCallLog.to(file);
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
        server.createContext("/", this::forward);
        server.setExecutor(threads);
        server.start();
    }

    /** Starts recording the calls sent to {@link #endpoint()} into {@code file}, forwarding each to {@code target}. */
    public static DynamoDbCallRecorder start(URI target, Path file) throws IOException {
        return new DynamoDbCallRecorder(target, file);
    }

    /** Where clients send their DynamoDB calls. */
    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    /** The call a request body and its {@code X-Amz-Target} make, as IAM would authorize it. */
    static AwsCallLog.Call call(String authorization, String amzTarget, byte[] body) throws IOException {
        String operation = amzTarget == null ? "" : amzTarget.substring(amzTarget.indexOf('.') + 1);
        JsonNode request = body.length == 0 ? JSON.createObjectNode() : JSON.readTree(body);
        String resource = request.hasNonNull("TableName") ? TABLE_ARN + request.get("TableName").asText() : "*";
        JsonNode key = request.has("Key") ? request.get("Key") : request.path("Item");
        Map<String, List<String>> context = ITEM_ACTIONS.contains(operation) && key.path("name").has("S")
                ? Map.of("dynamodb:LeadingKeys", List.of(key.path("name").path("S").asText()))
                : Map.of();
        return new AwsCallLog.Call(AwsCallLog.accessKey(authorization), "dynamodb:" + operation, resource, context);
    }

    private void forward(HttpExchange exchange) throws IOException {
        try (exchange) {
            byte[] body = exchange.getRequestBody().readAllBytes();
            log.record(call(exchange.getRequestHeaders().getFirst("Authorization"),
                    exchange.getRequestHeaders().getFirst("X-Amz-Target"), body));
            HttpRequest.Builder request = HttpRequest.newBuilder(target.resolve(exchange.getRequestURI()))
                    .timeout(Duration.ofSeconds(30))
                    .method(exchange.getRequestMethod(), HttpRequest.BodyPublishers.ofByteArray(body));
            exchange.getRequestHeaders().forEach((name, values) -> {
                if (!NOT_FORWARDED.contains(name.toLowerCase(Locale.ROOT))) {
                    values.forEach(v -> request.header(name, v));
                }
            });
            HttpResponse<byte[]> response = client.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
            response.headers().map().forEach((name, values) -> {
                if (!NOT_FORWARDED.contains(name.toLowerCase(Locale.ROOT)) && !name.equals(":status")) {
                    exchange.getResponseHeaders().put(name, values);
                }
            });
            byte[] answer = response.body();
            exchange.sendResponseHeaders(response.statusCode(), answer.length == 0 ? -1 : answer.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(answer);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        // An IOException (the server gone, the client gone) closes the exchange unanswered: the client sees a cut
        // connection, as it would see the server's.
    }

    @Override
    public void close() {
        server.stop(0);
        threads.shutdownNow();
    }
}
