package io.coscale.bench.chaos;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** The chaos run's client of the cloud process's control port: its counters and its fault switches. */
final class CloudClient {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();
    private final String base;

    CloudClient(int port) {
        this.base = "http://127.0.0.1:" + port + "/local/v1/";
    }

    URI statsUri() {
        return URI.create(base + "stats");
    }

    /** {@code GET /local/v1/stats}: the ECS emulator's counters, and the SQS proxy's under {@code sqsProxy}. */
    JsonNode stats() throws IOException, InterruptedException {
        return JSON.readTree(send(HttpRequest.newBuilder(statsUri()).GET()));
    }

    /** Replaces every fault with these ({@code PUT /local/v1/faults}). */
    void faults(String json) throws IOException, InterruptedException {
        send(HttpRequest.newBuilder(URI.create(base + "faults")).header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString(json)));
    }

    void clearFaults() throws IOException, InterruptedException {
        send(HttpRequest.newBuilder(URI.create(base + "faults")).DELETE());
    }

    private String send(HttpRequest.Builder request) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(request.timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IOException(response.request().method() + " " + response.uri() + " answered "
                    + response.statusCode() + ": " + response.body());
        }
        return response.body();
    }
}
