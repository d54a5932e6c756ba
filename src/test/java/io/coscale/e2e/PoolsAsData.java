package io.coscale.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.coscale.lease.Dynalite;
import io.coscale.local.LocalCloud;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.ecs.model.EcsException;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * The "done when" for pools as data, for any number of pools: the local cloud (one process), two coscale
 * replicas (packaged, {@code attached} profile) sharing a lease table on dynalite; the pools' queues and services are
 * made in the cloud, every pool is created through replica A's API, and replica B must manage every one and accept a
 * job for the last within 10 s of the last {@code PUT}'s answer, list them all (paging {@code GET /v1/pools}), and
 * let go of a pool deleted on A within 10 s. Prints the figures.
 */
final class PoolsAsData {

    /** How soon after its last PUT the other replica must serve every pool. */
    static final Duration SERVED_WITHIN = Duration.ofSeconds(10);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();
    private static final String CLUSTER = "pools";
    private static final String KEY = "test-harness";

    private final int pools;
    private final int sqs = LocalCloud.freePort();
    private final int ecs = LocalCloud.freePort();
    private final int cloudPort = LocalCloud.freePort();
    private final int portA = LocalCloud.freePort();
    private final int portB = LocalCloud.freePort();

    PoolsAsData(int pools) {
        this.pools = pools;
    }

    /** Runs the scenario; returns the figures it printed, by name. */
    Map<String, String> run() throws Exception {
        Path logs = Path.of("target", "pools-as-data");
        Dynalite dynalite = new Dynalite();
        dynalite.start();
        try (AppProcess cloud = new AppProcess("cloud", "cloud", Map.of("quarkus.http.port", Integer.toString(cloudPort),
                "coscale.local.sqs-port", Integer.toString(sqs), "coscale.local.ecs-port", Integer.toString(ecs),
                "coscale.local.coscale-url", "http://127.0.0.1:" + portA), logs.resolve("cloud.log"),
                uri(cloudPort, "/local/v1/stats"));
                AppProcess a = replica("a", portA, dynalite.endpoint(), logs);
                AppProcess b = replica("b", portB, dynalite.endpoint(), logs)) {
            dynalite.createTable("coscale-lease");
            cloud.start(Duration.ofSeconds(90));
            a.start(Duration.ofSeconds(90));
            b.start(Duration.ofSeconds(90));
            return scenario();
        } finally {
            dynalite.stop();
        }
    }

    private AppProcess replica(String id, int port, URI dynamoDb, Path logs) {
        return new AppProcess("replica-" + id, "attached", Map.of("quarkus.http.port", Integer.toString(port),
                "coscale.local.sqs-port", Integer.toString(sqs), "coscale.local.ecs-port", Integer.toString(ecs),
                "coscale.lease.store", "dynamodb", "coscale.lease.dynamodb.endpoint-override", dynamoDb.toString(),
                "coscale.lease.replica-id", id, "coscale.lease.advertise-url", "http://127.0.0.1:" + port),
                logs.resolve("replica-" + id + ".log"), uri(port, "/q/health/ready"));
    }

    private Map<String, String> scenario() throws Exception {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < pools; i++) {
            names.add(String.format(Locale.ROOT, "pool-%04d", i));
        }
        long setUp = System.nanoTime();
        queuesAndServices(names);
        Duration setUpTook = since(setUp);

        long created = System.nanoTime();
        createAll(names);
        Duration createTook = since(created);
        long lastAnswered = System.nanoTime();

        String last = names.get(names.size() - 1);
        // What replica b itself manages, from its readiness (its pool reads pass on to the leader, a).
        await("replica b manages every pool").atMost(SERVED_WITHIN).pollInterval(Duration.ofMillis(200))
                .until(() -> managed(portB) == pools + 1); // and the pools document's demo pool
        Duration managedAfter = since(lastAnswered);
        HttpResponse<String> job = send("POST", uri(portB, "/v1/pools/" + last + "/jobs"), "{\"payload\": {\"seconds\": 0}}");
        assertThat(job.statusCode()).as(job.body()).isEqualTo(202);
        Duration servedAfter = since(lastAnswered);
        assertThat(servedAfter).as("replica b serves every pool after the last PUT").isLessThanOrEqualTo(SERVED_WITHIN);
        long listing = System.nanoTime();
        assertThat(listed(portB)).containsAll(names);
        Duration listTook = since(listing);

        long deleted = System.nanoTime();
        assertThat(send("DELETE", uri(portA, "/v1/pools/" + last), null).statusCode()).isEqualTo(204);
        await("replica b lets the deleted pool go").atMost(SERVED_WITHIN).pollInterval(Duration.ofMillis(200))
                .until(() -> managed(portB) == pools);
        Duration goneAfter = since(deleted);

        Map<String, String> figures = new java.util.LinkedHashMap<>();
        figures.put("pools", Integer.toString(pools));
        figures.put("queues and services made in the local cloud", millis(setUpTook));
        figures.put("time to create every pool through replica a (PUT, checked against SQS and ECS)", millis(createTook)
                + String.format(Locale.ROOT, " (%.0f a second)", pools * 1000.0 / Math.max(1, createTook.toMillis())));
        figures.put("replica b manages every pool, after the last PUT", millis(managedAfter));
        figures.put("replica b accepted a job for the last pool, after the last PUT", millis(servedAfter));
        figures.put("replica b listed every pool's status (the leader's, passed on), paging 20 at a time", millis(listTook));
        figures.put("replica b let a deleted pool go, after the DELETE", millis(goneAfter));
        figures.forEach((k, v) -> System.out.println("pools as data: " + k + ": " + v));
        return figures;
    }

    /** The queues through SQS, the services through ECS's API (CreateService is metered at 5 a second after 50). */
    private void queuesAndServices(List<String> names) throws InterruptedException {
        StaticCredentialsProvider key = StaticCredentialsProvider.create(AwsBasicCredentials.create(KEY, KEY));
        try (SqsClient sqsClient = SqsClient.builder().endpointOverride(uri(sqs, "")).region(Region.US_EAST_1)
                .credentialsProvider(key).httpClientBuilder(UrlConnectionHttpClient.builder()).build();
                EcsClient ecsClient = EcsClient.builder().endpointOverride(uri(ecs, "")).region(Region.US_EAST_1)
                        .credentialsProvider(key).httpClientBuilder(UrlConnectionHttpClient.builder()).build()) {
            ecsClient.createCluster(c -> c.clusterName(CLUSTER));
            ecsClient.registerTaskDefinition(t -> t.family("pool-worker").cpu("256").memory("512")
                    .containerDefinitions(c -> c.name("worker").image("coscale/reference-worker:local").essential(true)));
            for (String name : names) {
                sqsClient.createQueue(q -> q.queueName(name));
                for (int attempt = 0;; attempt++) {
                    try {
                        ecsClient.createService(s -> s.cluster(CLUSTER).serviceName(name).taskDefinition("pool-worker")
                                .desiredCount(0));
                        break;
                    } catch (EcsException e) {
                        if (attempt > 50 || !"ThrottlingException".equals(e.awsErrorDetails().errorCode())) {
                            throw e;
                        }
                        Thread.sleep(200); // set-up waiting out ECS's CreateService budget, not an assertion
                    }
                }
            }
        }
    }

    /** Every pool PUT to replica a, four at a time, each repeated after a 503 (ECS's read budget spent). */
    private void createAll(List<String> names) throws Exception {
        ExecutorService clients = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> puts = new ArrayList<>();
            for (String name : names) {
                puts.add(clients.submit(() -> {
                    String body = "{\"cluster\": \"" + CLUSTER + "\", \"service\": \"" + name + "\", \"queue-name\": \""
                            + name + "\", \"max-tasks\": 2}";
                    for (int attempt = 0;; attempt++) {
                        HttpResponse<String> r = send("PUT", uri(portA, "/v1/pools/" + name), body);
                        if (r.statusCode() == 201) {
                            return null;
                        }
                        if (r.statusCode() != 503 || attempt > 100) {
                            throw new AssertionError("PUT " + name + ": " + r.statusCode() + " " + r.body());
                        }
                        Thread.sleep(Long.parseLong(r.headers().firstValue("Retry-After").orElse("1")) * 1000);
                    }
                }));
            }
            for (Future<?> put : puts) {
                put.get();
            }
        } finally {
            clients.shutdownNow();
        }
    }

    /** How many pools replica {@code port} itself manages, as its readiness says. */
    private static int managed(int port) throws IOException, InterruptedException {
        JsonNode ready = JSON.readTree(send("GET", uri(port, "/q/health/ready"), null).body());
        return ready.path("checks").get(0).path("data").path("pools").asInt(-1);
    }

    /** Every pool name replica {@code port} lists, paging {@code GET /v1/pools} 20 at a time (the Link header). */
    private static Set<String> listed(int port) throws IOException, InterruptedException {
        Set<String> names = new HashSet<>();
        String next = "/v1/pools?limit=20";
        while (next != null) {
            HttpResponse<String> page = send("GET", uri(port, next), null);
            assertThat(page.statusCode()).as(page.body()).isEqualTo(200);
            JSON.readTree(page.body()).forEach(p -> names.add(p.path("name").asText()));
            next = page.headers().firstValue("Link").map(l -> l.substring(l.indexOf('<') + 1, l.indexOf('>'))).orElse(null);
        }
        return names;
    }

    private static HttpResponse<String> send(String method, URI uri, String body) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30)).header("Content-Type",
                "application/json").method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static URI uri(int port, String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    private static Duration since(long nanos) {
        return Duration.ofNanos(System.nanoTime() - nanos);
    }

    private static String millis(Duration d) {
        return String.format(Locale.ROOT, "%.1f s", d.toMillis() / 1000.0);
    }
}
