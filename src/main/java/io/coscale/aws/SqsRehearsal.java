package io.coscale.aws;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.coscale.concurrent.Threads;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.time.Duration;
import java.util.Iterator;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;

/**
 * A stand-in for SQS on a loopback port of this JVM, and a {@link SqsWire} of its own pointed at it: a replica's
 * warm-up sends synthetic jobs through the same code a real submission runs (the JSON encoding, the SigV4 signing,
 * Vert.x's HTTP client, the answer's reading and MD5 checks) while nothing reaches AWS. It answers every
 * SendMessageBatch as SQS answers one it accepted whole, with the digests of what it was sent, and keeps nothing.
 * Its credentials are fixed and worthless; no other SQS action is answered.
 */
public final class SqsRehearsal implements AutoCloseable {

    private static final JsonFactory JSON = new JsonFactory();
    private static final ObjectMapper MAPPER = new ObjectMapper(JSON);
    private static final int CONNECTIONS = 16;

    private final HttpServer server;
    private final ExecutorService credentials = Executors.newSingleThreadExecutor(Threads.daemon("coscale-warm-up-credentials"));
    private volatile SqsWire wire;

    /** Where the rehearsal's calls go on the stand-in's port. */
    public static final String PATH = "/coscale-warm-up";

    private SqsRehearsal(Vertx vertx) {
        this.server = vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(0))
                .requestHandler(this::answer);
    }

    /** Starts the stand-in on an ephemeral loopback port; the future fails if it cannot listen. */
    public static CompletableFuture<SqsRehearsal> start(Vertx vertx) {
        SqsRehearsal rehearsal = new SqsRehearsal(vertx);
        return rehearsal.server.listen().toCompletionStage().toCompletableFuture().whenComplete((listening, failure) -> {
            if (failure != null) {
                rehearsal.credentials.shutdownNow();
            }
        }).thenApply(listening -> {
            // A path of its own: the replica's HTTP metrics leave it out (application.properties).
            rehearsal.wire = new SqsWire(vertx, URI.create("http://127.0.0.1:" + listening.actualPort() + PATH), "us-east-1",
                    new SqsCredentials(StaticCredentialsProvider.create(AwsBasicCredentials.create("warm-up", "warm-up")),
                            rehearsal.credentials), Duration.ofSeconds(2), Duration.ofSeconds(10), CONNECTIONS);
            return rehearsal;
        });
    }

    /** The client that sends to the stand-in, never to SQS. */
    public SqsWire wire() {
        return wire;
    }

    private void answer(HttpServerRequest request) {
        String target = request.getHeader("X-Amz-Target");
        if (!(SqsJson.TARGET_PREFIX + "SendMessageBatch").equals(target)) {
            request.response().setStatusCode(400).putHeader("x-amzn-query-error", "InvalidAction;Sender")
                    .end("{\"__type\":\"InvalidAction\",\"message\":\"the warm-up's stand-in answers SendMessageBatch only\"}");
            return;
        }
        request.body().onSuccess(body -> {
            byte[] answer;
            try {
                answer = accepted(body);
            } catch (RuntimeException e) {
                request.response().setStatusCode(500).end();
                return;
            }
            request.response().putHeader("Content-Type", SqsJson.CONTENT_TYPE).end(Buffer.buffer(answer));
        });
    }

    /** SQS's answer to a SendMessageBatch it accepted whole: each entry's id, a message id and the digests. */
    static byte[] accepted(Buffer request) {
        try {
            JsonNode entries = MAPPER.readTree(request.getBytes()).path("Entries");
            ByteArrayOutputStream out = new ByteArrayOutputStream(128 * entries.size());
            try (JsonGenerator json = JSON.createGenerator(out, JsonEncoding.UTF8)) {
                json.writeStartObject();
                json.writeArrayFieldStart("Successful");
                for (JsonNode entry : entries) {
                    String id = entry.path("Id").asText();
                    Map<String, String> attributes = new TreeMap<>();
                    Iterator<Map.Entry<String, JsonNode>> fields = entry.path("MessageAttributes").fields();
                    fields.forEachRemaining(a -> attributes.put(a.getKey(), a.getValue().path("StringValue").asText()));
                    json.writeStartObject();
                    json.writeStringField("Id", id);
                    json.writeStringField("MessageId", "warm-up-" + id);
                    json.writeStringField("MD5OfMessageBody", MessageMd5.body(entry.path("MessageBody").asText()));
                    if (!attributes.isEmpty()) {
                        json.writeStringField("MD5OfMessageAttributes", MessageMd5.attributes(attributes));
                    }
                    json.writeEndObject();
                }
                json.writeEndArray();
                json.writeArrayFieldStart("Failed");
                json.writeEndArray();
                json.writeEndObject();
            }
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        wire.close();
        server.close();
        credentials.shutdownNow();
    }
}
