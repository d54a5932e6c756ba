package io.coscale.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

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
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.ecs.model.Deployment;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;

/**
 * docs/DEPLOY.md's token rotation, run as written against the local cloud while coscale-run workers work and a
 * producer submits: the secret gets new keys with the old ones under {@code <name>_old} (issue), coscale accepts both
 * within its refresh without a restart (overlap), the producer moves to the new token and the pool is deployed with
 * {@code --force-new-deployment} so that each task starts with the new worker token, and the old keys are removed
 * (retire). No live worker and no submission is refused at any step: every 401 coscale counts is one this test
 * provoked on purpose with a retired token.
 *
 * <p>The processes are the two-process set-up (README): the local cloud ({@code cloud} profile) and coscale beside
 * it ({@code attached}), auth on, its tokens' secrets read from the local cloud's Secrets Manager as the deployed
 * task reads them from AWS's ({@code coscale.auth.token-secret}), refreshed every second instead of every minute.
 * ECS injects a worker task's token at its start from the same secret (worker-pool.yaml's {@code Secrets}); the local
 * cloud's tasks are processes, so each reads the key itself as it starts.
 */
class TokenRotationIT {

    private static final String SECRET = "coscale-tokens";
    private static final Duration START = Duration.ofSeconds(120);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();
    private static final Path DIR = Path.of("target", "token-rotation");
    private static final Pattern REFUSED = Pattern.compile(
            "^coscale_auth_refused_total\\{[^}]*reason=\"([a-z-]+)\"[^}]*} ([0-9.E]+)$", Pattern.MULTILINE);

    private final int cloudPort = LocalCloudTestResource.freePort();
    private final int coscalePort = LocalCloudTestResource.freePort();
    private final int sqsPort = LocalCloudTestResource.freePort();
    private final int ecsPort = LocalCloudTestResource.freePort();

    @Test
    void aRotationRefusesNoLiveWorkerAndNoSubmission() throws Exception {
        Map<String, String> first = tokens("1");
        Map<String, String> second = tokens("2");
        StaticCredentialsProvider setupKey = StaticCredentialsProvider.create(
                AwsBasicCredentials.create(AwsCallLog.SETUP_KEY, AwsCallLog.SETUP_KEY));
        URI emulator = URI.create("http://127.0.0.1:" + ecsPort);
        try (AppProcess cloud = cloud();
                AppProcess coscale = coscale();
                SecretsManagerClient secrets = SecretsManagerClient.builder().endpointOverride(emulator)
                        .region(Region.US_EAST_1).credentialsProvider(setupKey)
                        .httpClientBuilder(UrlConnectionHttpClient.builder()).build();
                EcsClient ecs = EcsClient.builder().endpointOverride(emulator).region(Region.US_EAST_1)
                        .credentialsProvider(setupKey).httpClientBuilder(UrlConnectionHttpClient.builder()).build()) {
            cloud.start(START);
            secrets.createSecret(b -> b.name(SECRET).secretString(json(first)));
            coscale.start(START);

            Producer producer = new Producer(first.get("upstream"));
            Thread producing = new Thread(producer, "rotation-producer");
            producing.start();
            await().atMost(Duration.ofSeconds(60)).until(() -> stat("jobsCompleted") >= 5);
            long startedBefore = stat("tasksStarted");

            // 1. Issue: both tokens in the secret; coscale accepts the new ones within its refresh, no restart. Until
            // it has read the secret again, the test's own checks with a new token are refused: counted.
            AtomicInteger provoked = new AtomicInteger();
            long issued = System.nanoTime();
            secrets.putSecretValue(b -> b.secretId(SECRET).secretString(json(withOld(second, first))));
            await().atMost(Duration.ofSeconds(10)).until(() -> answered(get("/v1/leader", second.get("upstream")), 200,
                    provoked));
            long acceptedAfterMs = (System.nanoTime() - issued) / 1_000_000;

            // 2. Move the clients: the producer now, the workers by deploying the pool.
            producer.token = second.get("upstream");
            long deployed = System.nanoTime();
            ecs.updateService(b -> b.cluster("local").service("demo").forceNewDeployment(true));
            await().atMost(Duration.ofSeconds(120)).until(() -> {
                var deployments = ecs.describeServices(b -> b.cluster("local").services("demo")).services().get(0)
                        .deployments();
                return deployments.size() == 1 && "COMPLETED".equals(deployments.get(0).rolloutStateAsString());
            });
            long deploymentMs = (System.nanoTime() - deployed) / 1_000_000;
            Deployment primary = ecs.describeServices(b -> b.cluster("local").services("demo")).services().get(0)
                    .deployments().get(0);

            // 3. Retire: the old keys go; coscale refuses them within its refresh.
            secrets.putSecretValue(b -> b.secretId(SECRET).secretString(json(second)));
            await().atMost(Duration.ofSeconds(10)).until(() -> answered(get("/v1/leader", first.get("upstream")), 401,
                    provoked));
            await().pollDelay(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(10))
                    .until(() -> stat("jobsCompleted") > 0);

            producer.running.set(false);
            producing.join();
            await().atMost(Duration.ofSeconds(90)).until(() -> stat("jobsCompleted") >= producer.accepted.get());

            Map<String, Double> refused = refused();
            System.out.printf("token rotation: %d jobs accepted (answers %s), %d completed; new tokens accepted %d ms"
                            + " after the secret changed; the deployment (%s) replaced the workers in %d ms; tasks"
                            + " started %d before the rotation, %d in all; refused %s, %d of them provoked by the test%n",
                    producer.accepted.get(), producer.answers, stat("jobsCompleted"), acceptedAfterMs, primary.id(),
                    deploymentMs, startedBefore, stat("tasksStarted"), refused, provoked.get());

            assertThat(producer.answers).as("every submission was accepted").containsOnlyKeys(202);
            assertThat(stat("workerExitsFailed")).as("no worker exited on a refused token").isZero();
            assertThat(refused.getOrDefault("no-token", 0.0)).isZero();
            assertThat(refused.getOrDefault("missing-role", 0.0)).isZero();
            assertThat(refused.getOrDefault("unknown-token", 0.0)).as("the only 401s are the test's own")
                    .isEqualTo(provoked.get());
        }
    }

    /** Whether {@code status} is {@code wanted}; a 401 is counted in {@code provoked}, being the test's own. */
    private static boolean answered(int status, int wanted, AtomicInteger provoked) {
        if (status == 401) {
            provoked.incrementAndGet();
        }
        return status == wanted;
    }

    /** The token secret's keys, each token's secret ending in {@code generation}. */
    private static Map<String, String> tokens(String generation) {
        Map<String, String> tokens = new LinkedHashMap<>();
        for (String name : new String[] {"upstream", "worker", "operator", "replica"}) {
            tokens.put(name, "rotation-" + name + "-token-" + generation);
        }
        return tokens;
    }

    private static Map<String, String> withOld(Map<String, String> current, Map<String, String> old) {
        Map<String, String> keys = new LinkedHashMap<>(current);
        old.forEach((name, secret) -> keys.put(name + "_old", secret));
        return keys;
    }

    private AppProcess cloud() throws IOException {
        Files.createDirectories(DIR);
        Path inject = DIR.resolve("worker-token.py");
        Files.writeString(inject, """
                # The worker task's COSCALE_TOKEN, as ECS injects it at the task's start: the token secret's "worker" key.
                import json, os, urllib.request
                endpoint = os.environ["ECS_CONTAINER_METADATA_URI_V4"].split("/v4/")[0]
                request = urllib.request.Request(endpoint + "/", data=json.dumps({"SecretId": "%s"}).encode(),
                    headers={"X-Amz-Target": "secretsmanager.GetSecretValue", "Content-Type": "application/x-amz-json-1.1"})
                print(json.loads(json.load(urllib.request.urlopen(request))["SecretString"])["worker"])
                """.formatted(SECRET));
        String command = "export COSCALE_TOKEN=\"$(" + PythonWorkers.python() + " -B "
                + PythonWorkers.shellQuote(inject.toAbsolutePath()) + ")\"; "
                + CoscaleRun.workerCommand("-- sh -c 'cat > /dev/null; sleep 1'");
        return new AppProcess("rotation cloud", "cloud", Map.of("quarkus.http.port", Integer.toString(cloudPort),
                "coscale.local.sqs-port", Integer.toString(sqsPort), "coscale.local.ecs-port", Integer.toString(ecsPort),
                "coscale.local.coscale-url", "http://127.0.0.1:" + coscalePort, "coscale.local.task-start-delay", "200ms",
                "coscale.local.worker-first-wait", "1s", "coscale.local.worker-command", command),
                DIR.resolve("cloud.log"), uri(cloudPort, "/local/v1/stats"));
    }

    private AppProcess coscale() {
        Map<String, String> settings = new LinkedHashMap<>(Map.of("quarkus.http.port", Integer.toString(coscalePort),
                "coscale.local.sqs-port", Integer.toString(sqsPort), "coscale.local.ecs-port", Integer.toString(ecsPort),
                "coscale.reconcile.interval", "1s", "coscale.auth.enabled", "true",
                // No more tasks than the cluster has room for (the local cloud's 4): a deployment completes only
                // once its tasks all run, on ECS as here.
                "coscale.pools.demo.max-tasks", "4",
                "coscale.auth.token-secret", SECRET, "coscale.auth.token-refresh", "1s"));
        // The roles as coscale.yaml's task definition sets them; the secrets come from the token secret.
        settings.putAll(Map.of("coscale.auth.tokens.upstream.roles", "submit,read",
                "coscale.auth.tokens.worker.roles", "worker", "coscale.auth.tokens.operator.roles", "read,admin",
                "coscale.auth.tokens.replica.roles", "replica"));
        return new AppProcess("rotation coscale", "attached", settings, DIR.resolve("coscale.log"),
                uri(coscalePort, "/q/health/ready"));
    }

    /** Submits a job every 200 ms with whichever token it is given, counting the answers. */
    private final class Producer implements Runnable {
        volatile String token;
        final AtomicBoolean running = new AtomicBoolean(true);
        final AtomicInteger accepted = new AtomicInteger();
        final Map<Integer, Integer> answers = new ConcurrentHashMap<>();

        Producer(String token) {
            this.token = token;
        }

        @Override
        public void run() {
            while (running.get()) {
                int status;
                try {
                    status = send("POST", "/v1/pools/demo/jobs", token, "{\"payload\": {\"n\": 1}}");
                } catch (UncheckedIOException e) {
                    status = -1; // no answer: counted, and the test fails on it
                }
                answers.merge(status, 1, Integer::sum);
                if (status == 202) {
                    accepted.incrementAndGet();
                }
                try {
                    Thread.sleep(200);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }
    }

    private long stat(String name) throws IOException, InterruptedException {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(uri(cloudPort, "/local/v1/stats")).build(),
                HttpResponse.BodyHandlers.ofString());
        return JSON.readTree(r.body()).path(name).asLong();
    }

    private Map<String, Double> refused() throws IOException, InterruptedException {
        String scrape = HTTP.send(HttpRequest.newBuilder(uri(coscalePort, "/q/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        Map<String, Double> refused = new LinkedHashMap<>();
        Matcher m = REFUSED.matcher(scrape);
        while (m.find()) {
            refused.put(m.group(1), Double.parseDouble(m.group(2)));
        }
        return refused;
    }

    private int get(String path, String token) {
        return send("GET", path, token, null);
    }

    private int send(String method, String path, String token, String body) {
        HttpRequest request = HttpRequest.newBuilder(uri(coscalePort, path)).timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/json").header("Authorization", "Bearer " + token)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .build();
        try {
            return HTTP.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            throw new UncheckedIOException(method + " " + path, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private static String json(Map<String, String> keys) {
        try {
            return JSON.writeValueAsString(keys);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static URI uri(int port, String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }
}
