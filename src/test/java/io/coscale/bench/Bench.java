package io.coscale.bench;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.ecs.model.EcsException;

/** What the benchmarks share: knobs, set-up through the SDK, and the client side of a submission. */
final class Bench {

    static final String JOB = "{\"payload\": {\"seconds\": 1}}";
    /** The task definition local mode registers for the demo pool; benchmark services reuse it. */
    static final String TASK_DEFINITION = "demo-worker";

    private Bench() {
    }

    /** A knob of the benchmark, overridable with {@code -Dbench.<name>=n}. */
    static int knob(String name, int defaultValue) {
        return Integer.getInteger("bench." + name, defaultValue);
    }

    /** An HTTP/1.1 client with keep-alive: one per client thread, as separate upstream applications would be. */
    static HttpClient httpClient() {
        return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
    }

    /** Submits one job; returns the HTTP status. */
    static int submit(HttpClient http, URI jobs) throws IOException, InterruptedException {
        return submit(http, jobs, JOB);
    }

    /** Posts a body (one job, or a batch to {@code jobs:batch}); returns the HTTP status. */
    static int submit(HttpClient http, URI uri, String body) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(uri).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    /** Waits until the pool has seen ECS (a reconcile or a scale-up) so that the first round is not a cold start. */
    static void awaitPoolKnown(String pool) {
        await().atMost(Duration.ofSeconds(30)).until(() -> given().get("/v1/pools/" + pool).then().statusCode(200)
                .extract().jsonPath().get("lastReconcileAt") != null);
    }

    /** Creates a service of the local cluster's demo task definition, with no tasks. */
    static void createService(EcsClient ecs, String cluster, String service) {
        createService(ecs, cluster, service, 0);
    }

    /**
     * Creates a service of the demo task definition with {@code desired} tasks, waiting out throttling: CreateService
     * shares ECS's 50-burst, 5-per-second bucket with UpdateService.
     */
    static void createService(EcsClient ecs, String cluster, String service, int desired) {
        waitingOutThrottling(() -> ecs.createService(b -> b.cluster(cluster).serviceName(service)
                .taskDefinition(TASK_DEFINITION).desiredCount(desired)));
    }

    /**
     * An ECS client of the emulator as a baseline's caller without coscale has one: the real SDK with retries off, so
     * that every throttle is seen and counted.
     */
    static EcsClient baselineEcsClient(String endpoint) {
        return EcsClient.builder().endpointOverride(URI.create(endpoint)).region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("bench", "bench")))
                .httpClient(UrlConnectionHttpClient.create())
                .overrideConfiguration(c -> c.retryStrategy(b -> b.maxAttempts(1))).build();
    }

    /** Makes an ECS call, again every 200 ms while ECS throttles it. */
    static void waitingOutThrottling(Runnable call) {
        while (true) {
            try {
                call.run();
                return;
            } catch (EcsException e) {
                if (!"ThrottlingException".equals(e.awsErrorDetails().errorCode())) {
                    throw e;
                }
                LockSupport.parkNanos(200_000_000L);
            }
        }
    }

    /** The settings of pools {@code names}, in {@code cluster}, each on its own queue of the local SQS. */
    static Map<String, String> pools(String cluster, List<String> names, int maxTasks) {
        Map<String, String> config = new HashMap<>();
        config.put("coscale.pools.demo.cluster", cluster);
        for (String name : names) {
            String key = "coscale.pools." + name + ".";
            config.put(key + "cluster", cluster);
            config.put(key + "service", name);
            config.put(key + "queue-url", "http://127.0.0.1:${coscale.local.sqs-port}/000000000000/" + name);
            config.put(key + "max-tasks", Integer.toString(maxTasks));
        }
        return config;
    }

    /** {@code count - 1} pool names, {@code prefix}001 on: the pools beside the demo one. */
    static List<String> names(String prefix, int count) {
        List<String> names = new ArrayList<>();
        for (int i = 1; i < count; i++) {
            names.add(String.format(Locale.ROOT, "%s%03d", prefix, i));
        }
        return names;
    }

    /** A worker's call naming its task: {@code POST /v1/claim} or {@code /v1/release}. */
    static java.util.concurrent.CompletableFuture<HttpResponse<String>> postTask(HttpClient http, URI uri, String taskArn) {
        return http.sendAsync(HttpRequest.newBuilder(uri).header("Content-Type", "application/json")
                .timeout(Duration.ofSeconds(120))
                .POST(HttpRequest.BodyPublishers.ofString("{\"taskArn\": \"" + taskArn + "\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    static void sleepUntil(long nanoTime) {
        long left;
        while ((left = nanoTime - System.nanoTime()) > 0) {
            LockSupport.parkNanos(left);
        }
    }
}
