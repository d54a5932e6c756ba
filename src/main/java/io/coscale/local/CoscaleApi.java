package io.coscale.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The reference worker's client of coscale's worker API and of the task metadata endpoint. Transient
 * failures (connection refused or cut, timeouts, 429, 5xx) are retried with capped exponential backoff and jitter;
 * anything else is a real failure and ends the task.
 */
final class CoscaleApi {

    // HTTP/1.1 as most workers speak it; the default would try an h2c upgrade on every new connection.
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();
    private static final ObjectMapper JSON = new ObjectMapper();
    /**
     * How long a claim or release is repeated while coscale cannot answer (restarting, a failover, ECS faults): long
     * enough for any of those, so that a worker never gives up over coscale's own outage.
     */
    private static final Duration GIVE_UP_AFTER = Duration.ofMinutes(2);

    private final String baseUrl;
    private final String token;

    CoscaleApi(String baseUrl, String token) {
        this.baseUrl = baseUrl;
        this.token = token;
    }

    String taskArn(String metadataUri) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create(metadataUri + "/task")).GET().build();
        return send(request).path("TaskARN").asText();
    }

    /**
     * Claims the task (before its first receive; later claims are heartbeats): scale-in protection in protect
     * mode. Returns whether coscale says drain: release after the current job instead of polling again.
     */
    boolean claim(String taskArn) throws IOException, InterruptedException {
        return claim(taskArn, GIVE_UP_AFTER);
    }

    /** As {@link #claim(String)}, repeated on transient failures for {@code giveUpAfter} at most. */
    boolean claim(String taskArn, Duration giveUpAfter) throws IOException, InterruptedException {
        return post("/v1/claim", taskArn, giveUpAfter).path("drain").asBoolean(false);
    }

    /** Releases the task; returns the decision: exit, continue or stay. */
    String release(String taskArn) throws IOException, InterruptedException {
        return post("/v1/release", taskArn, GIVE_UP_AFTER).path("decision").asText();
    }

    /** coscale answered a status not worth repeating (a 4xx but 429): the call is refused, not failed for now. */
    static final class Refused extends IOException {
        Refused(String message) {
            super(message);
        }
    }

    private JsonNode post(String path, String taskArn, Duration giveUpAfter) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUrl + path))
                .timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(JSON.createObjectNode().put("taskArn", taskArn).toString()));
        if (token != null && !token.isBlank()) {
            request.header("Authorization", "Bearer " + token);
        }
        return send(request.build(), giveUpAfter);
    }

    private static JsonNode send(HttpRequest request) throws IOException, InterruptedException {
        return send(request, GIVE_UP_AFTER);
    }

    private static JsonNode send(HttpRequest request, Duration giveUpAfter) throws IOException, InterruptedException {
        long backoffMillis = 100;
        long deadline = System.nanoTime() + giveUpAfter.toNanos();
        while (true) {
            boolean last = System.nanoTime() - deadline > 0;
            HttpResponse<String> response;
            try {
                response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
            } catch (IOException e) {
                // Refused, timed out, or cut mid-answer (coscale killed while it handled the call): claims and
                // releases are safe to repeat — a repeated release answers the same and lowers nothing twice.
                if (last) {
                    throw e;
                }
                response = null;
            }
            if (response != null) {
                int status = response.statusCode();
                if (status / 100 == 2) {
                    return response.body().isEmpty() ? JSON.createObjectNode() : JSON.readTree(response.body());
                }
                String answered = request.method() + " " + request.uri() + " answered " + status + ": " + response.body();
                if (status != 429 && status < 500) {
                    throw new Refused(answered);
                }
                if (last) {
                    throw new IOException(answered);
                }
            }
            Thread.sleep(backoffMillis + ThreadLocalRandom.current().nextLong(backoffMillis));
            backoffMillis = Math.min(backoffMillis * 2, 5_000);
        }
    }
}
