package io.coscale.lease;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.coscale.config.AuthConfig;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A follower passing the jobs it accepted to the leader as counts ({@link LeaderLink#forward}): over real HTTP to a
 * leader this test plays. One call per pool in flight; what arrives meanwhile goes, merged, in the next; a failed call
 * is made again with the same counts.
 */
class LeaderLinkCountsTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** One count as the played leader received it. */
    record Counted(String path, int jobs, List<String> groups) {
    }

    private final List<Counted> received = new CopyOnWriteArrayList<>();
    /** Answers to give, in turn, before 204s: a status each. */
    private final List<Integer> failFirst = new CopyOnWriteArrayList<>();
    private final AtomicInteger calls = new AtomicInteger();
    private volatile CountDownLatch holdFirstCall = new CountDownLatch(0);
    private HttpServer leader;
    private LeaderLink link;

    @BeforeEach
    void playLeader() throws IOException {
        leader = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        leader.setExecutor(Executors.newCachedThreadPool());
        leader.createContext("/", exchange -> {
            JsonNode body = JSON.readTree(exchange.getRequestBody());
            List<String> groups = body.has("messageGroups")
                    ? JSON.convertValue(body.get("messageGroups"), JSON.getTypeFactory().constructCollectionType(List.class, String.class))
                    : List.of();
            int call = calls.incrementAndGet();
            if (call == 1) {
                try {
                    holdFirstCall.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            int status = failFirst.isEmpty() ? 204 : failFirst.remove(0);
            if (status == 204) {
                received.add(new Counted(exchange.getRequestURI().getPath(), body.get("jobs").asInt(), groups));
            }
            exchange.sendResponseHeaders(status, -1);
            exchange.close();
        });
        leader.start();
        String address = "http://" + leader.getAddress().getHostString() + ":" + leader.getAddress().getPort();
        link = new LeaderLink(new FollowerLeadership(address), authOff(), Map::of);
    }

    @AfterEach
    void stop() {
        link.close();
        leader.stop(0);
    }

    @Test
    void countsThatArriveWhileACallIsInFlightGoMergedInTheNext() {
        holdFirstCall = new CountDownLatch(1);
        link.forward("orders", 1, List.of());
        await().atMost(Duration.ofSeconds(10)).until(() -> calls.get() == 1);
        link.forward("orders", 2, List.of("g1"));
        link.forward("orders", 3, List.of("g2", "g3"));
        link.forward("images", 4, List.of());
        holdFirstCall.countDown();

        await().atMost(Duration.ofSeconds(10)).until(() -> received.size() == 3);
        assertThat(received).containsExactlyInAnyOrder(
                new Counted("/v1/pools/orders/jobs:counted", 1, List.of()),
                new Counted("/v1/pools/orders/jobs:counted", 5, List.of("g1", "g2", "g3")),
                new Counted("/v1/pools/images/jobs:counted", 4, List.of()));
        assertThat(calls.get()).as("calls to the leader: one per pool, and one for what waited behind the first")
                .isEqualTo(3);
    }

    @Test
    void aFailedCallIsMadeAgainWithTheSameCounts() {
        failFirst.addAll(List.of(503, 503));
        link.forward("orders", 7, List.of("g"));

        await().atMost(Duration.ofSeconds(10)).until(() -> received.size() == 1);
        assertThat(received).containsExactly(new Counted("/v1/pools/orders/jobs:counted", 7, List.of("g")));
        assertThat(calls.get()).as("two refused calls, then the one the leader took").isEqualTo(3);
    }

    private static AuthConfig authOff() {
        return new AuthConfig() {
            @Override
            public boolean enabled() {
                return false;
            }

            @Override
            public Map<String, Token> tokens() {
                return Map.of();
            }

            @Override
            public Optional<String> tokenSecret() {
                return Optional.empty();
            }

            @Override
            public Duration tokenRefresh() {
                return Duration.ofMinutes(1);
            }

            @Override
            public Optional<URI> secretsEndpointOverride() {
                return Optional.empty();
            }
        };
    }
}
