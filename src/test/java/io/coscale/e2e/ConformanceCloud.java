package io.coscale.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.coscale.local.AwsCallLog;
import io.coscale.local.LocalCloudTestResource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * One worker's local cloud for the conformance kit, as README's two-process set-up runs it: the packaged
 * application's {@code cloud} profile (embedded SQS behind the fault proxy, the ECS emulator, every task of the demo
 * pool the worker command, or the in-JVM reference worker without one) and coscale beside it ({@code attached}
 * profile), each a process of its own on free ports, so that coscale can be stopped and started again while the
 * tasks run on. The workers reach coscale through a {@link CoscaleLink} the kit can cut; the kit itself calls both
 * processes directly, and ECS and SQS with the local cloud's set-up key. Each task sources the worker command from a
 * file, so that {@link #worker(String)} can swap it between rows while the cloud runs on.
 */
final class ConformanceCloud implements AutoCloseable {

    /** The demo queue's visibility timeout here: short, so that a failing job's three tries take seconds. */
    static final int VISIBILITY_TIMEOUT_SECONDS = 5;
    /**
     * coscale's idle correction (the count lowered to minTasks after the queue was empty this long) waits out the kit's
     * longest outage, so that each row counts the tasks of its own jobs: struck while tasks that cannot reach coscale
     * still run, protected, it lowers the count under them, and they exit only at their next release (the rule is
     * ReleasePolicyTest's; with it on, a later row once saw two tasks where it started one).
     */
    private static final String SCALE_IN_IDLE = "5m";
    private static final Duration START = Duration.ofSeconds(120);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();

    private final int cloudPort = LocalCloudTestResource.freePort();
    private final int coscalePort = LocalCloudTestResource.freePort();
    private final CoscaleLink link = CoscaleLink.to(coscalePort);
    private final AppProcess cloud;
    private final AppProcess coscale;
    private final Path coscaleLog;
    private final Path workerFile;
    private final EcsClient ecs;
    private final SqsClient sqs;

    private ConformanceCloud(String name, Optional<String> workerCommand, Path logs) {
        int sqsPort = LocalCloudTestResource.freePort();
        int ecsPort = LocalCloudTestResource.freePort();
        Map<String, String> cloudSettings = new HashMap<>(Map.of("quarkus.http.port", Integer.toString(cloudPort),
                "coscale.local.sqs-port", Integer.toString(sqsPort), "coscale.local.ecs-port", Integer.toString(ecsPort),
                "coscale.local.coscale-url", link.url(), "coscale.local.task-start-delay", "200ms",
                "coscale.local.worker-first-wait", "1s",
                "coscale.local.demo-visibility-timeout", VISIBILITY_TIMEOUT_SECONDS + "s"));
        workerFile = logs.resolve(name + "-worker.sh").toAbsolutePath();
        workerCommand.ifPresent(c -> {
            worker(c);
            cloudSettings.put("coscale.local.worker-command", ". " + PythonWorkers.shellQuote(workerFile));
        });
        cloud = new AppProcess(name + " cloud", "cloud", cloudSettings, logs.resolve(name + "-cloud.log"),
                uri(cloudPort, "/local/v1/stats"));
        coscaleLog = logs.resolve(name + "-coscale.log");
        coscale = new AppProcess(name + " coscale", "attached", Map.of("quarkus.http.port", Integer.toString(coscalePort),
                "coscale.local.sqs-port", Integer.toString(sqsPort), "coscale.local.ecs-port", Integer.toString(ecsPort),
                "coscale.reconcile.interval", "1s", "coscale.pools.demo.scale-in-idle", SCALE_IN_IDLE),
                coscaleLog, uri(coscalePort, "/q/health/ready"));
        StaticCredentialsProvider setupKey = StaticCredentialsProvider.create(
                AwsBasicCredentials.create(AwsCallLog.SETUP_KEY, AwsCallLog.SETUP_KEY));
        ecs = EcsClient.builder().endpointOverride(URI.create("http://127.0.0.1:" + ecsPort)).region(Region.US_EAST_1)
                .credentialsProvider(setupKey).httpClientBuilder(UrlConnectionHttpClient.builder()).build();
        sqs = SqsClient.builder().endpointOverride(URI.create("http://127.0.0.1:" + sqsPort)).region(Region.US_EAST_1)
                .credentialsProvider(setupKey).httpClientBuilder(UrlConnectionHttpClient.builder()).build();
    }

    /** Starts the cloud, then coscale, and returns once both answer. */
    static ConformanceCloud start(String name, Optional<String> workerCommand, Path logs) throws Exception {
        ConformanceCloud c = new ConformanceCloud(name, workerCommand, logs);
        try {
            c.cloud.start(START);
            c.coscale.start(START);
            return c;
        } catch (Exception | Error e) {
            c.close();
            throw e;
        }
    }

    /**
     * The command every task started from now on runs, as {@code bash -c} would run it (each task sources the file it
     * is written to). Swap it only while no task runs: between rows, once the pool is back at 0.
     */
    void worker(String command) {
        try {
            Files.createDirectories(workerFile.getParent());
            Path next = workerFile.resolveSibling(workerFile.getFileName() + ".next");
            Files.writeString(next, command + "\n");
            Files.move(next, workerFile, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the worker command to " + workerFile, e);
        }
    }

    EcsClient ecs() {
        return ecs;
    }

    SqsClient sqs() {
        return sqs;
    }

    CoscaleLink link() {
        return link;
    }

    /** Stops coscale: SIGTERM, as a deployment of coscale would; returns once it has exited. */
    void stopCoscale() throws InterruptedException {
        coscale.terminate();
    }

    /** Starts coscale again; returns once it is ready. */
    void startCoscale() throws Exception {
        coscale.start(START);
    }

    /** The local cloud's counters (docs/API.md, "Local mode"). */
    JsonNode stats() {
        return get(cloudPort, "/local/v1/stats");
    }

    long stat(String name) {
        return stats().path(name).asLong();
    }

    /** The demo pool's status, as coscale reports it. */
    JsonNode status() {
        return get(coscalePort, "/v1/pools/demo");
    }

    JsonNode events() {
        return get(coscalePort, "/v1/pools/demo/events?limit=1000");
    }

    /** Appends the pool's status and events and the cloud's counters to coscale's log: what a failed row leaves. */
    void logEvidence(String row) {
        try {
            Files.writeString(coscaleLog, String.format("---- row %s failed: status %s%nevents %s%nstats %s%ntasks %s%n", row,
                    status(), events(), stats(), ecs.listTasks(b -> b.cluster("local")).taskArns()),
                    StandardOpenOption.APPEND);
        } catch (IOException | RuntimeException e) {
            System.err.printf("no evidence of row %s: %s%n", row, e);
        }
    }

    void submit(String payload) {
        HttpResponse<String> r = send("POST", uri(coscalePort, "/v1/pools/demo/jobs"), "{\"payload\": " + payload + "}");
        assertThat(r.statusCode()).as("submission answered %s", r.body()).isEqualTo(202);
    }

    /** Delays every SQS call by {@code latency} at the local cloud's SQS proxy (zero: none), every other fault off. */
    void sqsLatency(Duration latency) {
        HttpResponse<String> r = send("PUT", uri(cloudPort, "/local/v1/faults"),
                "{\"sqs\": {\"latencyMs\": " + latency.toMillis() + ", \"errorRate\": 0, \"resetRate\": 0}}");
        assertThat(r.statusCode()).as("faults answered %s", r.body()).isEqualTo(200);
    }

    /** Stops a task as ECS would for its own reasons ({@code SpotInterruption}: SIGTERM, SIGKILL after its stopTimeout). */
    void stopTask(String taskArn, String kind) {
        HttpResponse<String> r = send("POST", uri(cloudPort, "/local/v1/faults/task-stops"),
                "{\"taskArn\": \"" + taskArn + "\", \"kind\": \"" + kind + "\"}");
        assertThat(r.statusCode()).as("task stop answered %s", r.body()).isEqualTo(200);
    }

    private static JsonNode get(int port, String path) {
        HttpResponse<String> r = send("GET", uri(port, path), null);
        assertThat(r.statusCode()).as("GET %s answered %s", path, r.body()).isEqualTo(200);
        try {
            return JSON.readTree(r.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static HttpResponse<String> send(String method, URI uri, String body) {
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .build();
        try {
            return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(method + " " + uri, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private static URI uri(int port, String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    @Override
    public void close() throws Exception {
        try (link; ecs; sqs) {
            coscale.close();
            cloud.close();
        }
    }
}
