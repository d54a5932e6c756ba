package io.coscale.lease;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import org.jboss.logging.Logger;

/**
 * Who this replica is to the others: its id in the lease item and the URL they reach it at.
 *
 * @param id      unique among live replicas
 * @param address the URL other replicas call this one at
 */
record Replica(String id, String address) {

    private static final Logger LOG = Logger.getLogger(Replica.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * The configured id and address, or the defaults: the host name plus a random suffix (so a restarted replica is
     * a new one, which waits out its predecessor's lease rather than trusting it); on ECS the task's IPv4 address
     * from the task metadata endpoint, else the host name.
     */
    static Replica resolve(Optional<String> id, Optional<String> advertiseUrl, int httpPort) {
        String host = hostName();
        String resolvedId = id.orElseGet(() -> host + "-" + String.format("%06x", ThreadLocalRandom.current().nextInt(1 << 24)));
        String address = advertiseUrl.orElseGet(() -> "http://"
                + Optional.ofNullable(System.getenv("ECS_CONTAINER_METADATA_URI_V4")).flatMap(Replica::taskIpv4)
                        .orElse(host)
                + ":" + httpPort);
        return new Replica(resolvedId, address);
    }

    /**
     * The first IPv4 address of the first container's first network in a task metadata v4 {@code /task} document
     * ({@code Containers[0].Networks[0].IPv4Addresses[0]}); empty if there is none or the document is not JSON.
     */
    static Optional<String> ipv4OfTask(String taskMetadata) {
        try {
            JsonNode address = JSON.readTree(taskMetadata)
                    .path("Containers").path(0).path("Networks").path(0).path("IPv4Addresses").path(0);
            return address.isTextual() && !address.asText().isBlank() ? Optional.of(address.asText()) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private static Optional<String> taskIpv4(String metadataUri) {
        try {
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(metadataUri + "/task"))
                    .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
            Optional<String> ip = response.statusCode() == 200 ? ipv4OfTask(response.body()) : Optional.empty();
            if (ip.isEmpty()) {
                LOG.warnf("The task metadata endpoint gave no IPv4 address (HTTP %d); advertising the host name",
                        response.statusCode());
            }
            return ip;
        } catch (IOException | IllegalArgumentException e) {
            LOG.warnf("The task metadata endpoint could not be read (%s); advertising the host name", e.toString());
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return Optional.ofNullable(System.getenv("HOSTNAME")).filter(h -> !h.isBlank()).orElse("coscale");
        }
    }
}
