package io.coscale.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.coscale.e2e.AppProcess;
import io.coscale.e2e.PythonWorkers;
import io.coscale.lease.Dynalite;
import io.coscale.local.AwsCallLog;
import io.coscale.local.LocalCloud;
import io.coscale.local.secrets.SecretsEmulator;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;

/**
 * The deployment as deploy/cloudformation/coscale.yaml declares it, rehearsed on loopback: its service's replica count
 * (at most three here), packaged coscale replicas (attached profile, the lease in DynamoDB on dynalite), the local cloud
 * as its own process, and a balancer that health-checks as the template's target group says (path, interval, timeout,
 * healthy and unhealthy thresholds, deregistration delay; real values, not scaled). Then a rolling deploy as ECS runs
 * one with the service's minimum healthy and maximum percent, while a client submits jobs through the balancer without
 * a pause. Every value of the deployment is read from the template, never copied.
 *
 * <p>Each replica runs with the environment and secrets coscale.yaml's task definition declares (the tokens from a
 * stand-in for the token secret), and only the local endpoints added; the pools document (an SSM parameter) is the
 * attached profile's demo pool. Every worker task is the Python example worker ({@code coscale-run -- python3
 * process.py}) started with only the environment and secrets worker-pool.yaml's task definition declares, plus what
 * the platform gives every task (the metadata endpoint, credentials, the SQS endpoint the Region would have) and the
 * local cloud's job counter: a setting the template forgets fails here.
 */
@ExtendWith(RecordedAwsCalls.class)
class RollingDeployIT {

    /** The lease table the stack creates (the local name; the IAM oracle reads it as the walk-through's). */
    private static final String LEASE_TABLE = "coscale-lease";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();
    private static final Path TEMPLATE = Path.of("deploy", "cloudformation", "coscale.yaml");
    private static final Path WORKER_TEMPLATE = Path.of("deploy", "cloudformation", "worker-pool.yaml");
    private static final String REGION = "us-east-1"; // the local cloud's
    private static final String TOKEN_SECRET = SecretsEmulator.arn(REGION, "000000000000", "coscale-tokens");
    /** The token secret's JSON document, as DEPLOY.md has it created: one key per token. */
    private static final Map<String, String> TOKENS = Map.of("upstream", "rehearsal-upstream-token",
            "worker", "rehearsal-worker-token", "operator", "rehearsal-operator-token",
            "replica", "rehearsal-replica-token");
    private static final Path LOGS = Path.of("target", "rolling-deploy");
    /** How long the new replicas' liveness is watched from their start: past three minutes, follower included. */
    private static final Duration LIVE_WATCH = Duration.ofSeconds(185);
    /**
     * How long after the old replicas are gone the lease move may still answer a worker 503: two lease heartbeats
     * (1 s each by default) until a new replica leads; then the new leader lowers no count, so answers a release 503,
     * until its count has settled: its exit-settle (5 s by default) and then a count read after it, at the latest its
     * next reconcile pass (10 s by default); and a worker's retry (1 s).
     */
    private static final Duration HAND_OVER_SLACK = Duration.ofSeconds(2 + 5 + 10 + 1);

    private final int sqs = LocalCloud.freePort();
    private final int ecs = LocalCloud.freePort();
    private final int cloudPort = LocalCloud.freePort();
    private final int balancerPort = LocalCloud.freePort();
    private final Map<Integer, AppProcess> running = new ConcurrentHashMap<>();
    private final Map<Integer, Long> startedAt = new ConcurrentHashMap<>();
    /** Seconds from each replica's start to its first readiness 200, in start order. */
    private final List<String> readyAfter = Collections.synchronizedList(new ArrayList<>());
    /** How soon after its process starts a replica must be ready: the service's health-check grace period. */
    private Duration readyWithin;
    /** Submissions made so far; every third carries an Idempotency-Key, and every thirtieth is then sent again. */
    private final AtomicLong posts = new AtomicLong();
    /** What a keyed submission sent a second time was answered: a replay, whichever replica the balancer picked. */
    private final Map<String, AtomicLong> retries = new ConcurrentHashMap<>();
    private final Map<String, String> replicaEnvironment;
    private int replicas;

    RollingDeployIT() throws IOException {
        replicaEnvironment = DeclaredEnvironment.of(CfnTemplate.load(TEMPLATE), "TaskDefinition",
                new DeclaredEnvironment.Values(Map.of("AWS::Region", REGION, "AWS::StackName", "coscale",
                        "LeaseTable", LEASE_TABLE, "TokenSecretArn", TOKEN_SECRET), Map.of(), tokenSecrets()),
                Set.of("COSCALE_POOLS_JSON"));
    }

    /**
     * Each key of the token secret, by the {@code ValueFrom} that names it ({@code <arn>:<key>::}): what ECS injects
     * into a worker task. coscale reads the secret itself, from the local cloud's Secrets Manager.
     */
    private static Map<String, String> tokenSecrets() {
        Map<String, String> secrets = new HashMap<>();
        TOKENS.forEach((key, token) -> secrets.put(TOKEN_SECRET + ":" + key + "::", token));
        return secrets;
    }

    /**
     * The worker task's command: the Python example worker with only what worker-pool.yaml's task definition declares,
     * and what every task gets from the platform.
     */
    private String workerCommand() throws IOException {
        CfnTemplate pool = CfnTemplate.load(WORKER_TEMPLATE);
        // A Fargate pool with the template's default stop timeout.
        Map<String, Object> stopTimeout = pool.parameter("StopTimeout");
        Map<String, String> declared = DeclaredEnvironment.of(pool, "TaskDefinition",
                new DeclaredEnvironment.Values(Map.of("AWS::Region", REGION,
                        "CoscaleUrl", "http://127.0.0.1:" + balancerPort,
                        "Queue", "http://127.0.0.1:" + sqs + "/000000000000/demo", "TokenSecretArn", TOKEN_SECRET,
                        "StopTimeout", String.valueOf(stopTimeout.get("Default"))),
                        Map.of("IsEc2", false), tokenSecrets()), Set.of());
        System.out.println("worker environment as worker-pool.yaml declares it: " + declared.keySet());
        StringBuilder command = new StringBuilder("exec env -i PATH=\"$PATH\"")
                // The platform's, on every task: the metadata endpoint (the ECS agent), credentials (the task role),
                // the SQS endpoint (the Region's, locally the cloud's), and the local cloud's job counter.
                .append(" ECS_CONTAINER_METADATA_URI_V4=\"$ECS_CONTAINER_METADATA_URI_V4\"")
                .append(" AWS_ENDPOINT_URL_SQS=\"$AWS_ENDPOINT_URL_SQS\"")
                .append(" AWS_ACCESS_KEY_ID=\"$AWS_ACCESS_KEY_ID\" AWS_SECRET_ACCESS_KEY=\"$AWS_SECRET_ACCESS_KEY\"")
                .append(" COSCALE_LOCAL_JOB_EVENTS=1");
        declared.forEach((name, value) -> command.append(' ').append(name).append('=').append(quote(value)));
        command.append(' ').append(PythonWorkers.command());
        return command.toString();
    }

    private static String quote(String value) {
        return "'" + value.replace("'", "'\\''") + "'";
    }

    /** The target group and the service as the template declares them. */
    record Declared(TargetGroupBalancer.Settings targetGroup, int desiredCount, int minimumHealthyPercent,
            int maximumPercent, Duration healthCheckGracePeriod) {

        static Declared read(CfnTemplate template) {
            Map<String, Object> group = template.properties("TargetGroup");
            Map<String, Object> service = template.properties("Service");
            Map<String, Object> deployment = CfnTemplate.map(service, "DeploymentConfiguration");
            String delay = CfnTemplate.list(group.get("TargetGroupAttributes")).stream().map(CfnTemplate::asMap)
                    .filter(a -> "deregistration_delay.timeout_seconds".equals(a.get("Key")))
                    .map(a -> a.get("Value").toString()).findFirst()
                    .orElse("300"); // an ALB target group's default, as AWS documents it
            return new Declared(new TargetGroupBalancer.Settings((String) group.get("HealthCheckPath"),
                    seconds(group.get("HealthCheckIntervalSeconds")), seconds(group.get("HealthCheckTimeoutSeconds")),
                    integer(group.get("HealthyThresholdCount")), integer(group.get("UnhealthyThresholdCount")),
                    seconds(delay)), integer(service.get("DesiredCount")),
                    integer(deployment.get("MinimumHealthyPercent")), integer(deployment.get("MaximumPercent")),
                    seconds(service.get("HealthCheckGracePeriodSeconds")));
        }

        private static int integer(Object value) {
            return Integer.parseInt(value.toString());
        }

        private static Duration seconds(Object value) {
            return Duration.ofSeconds(integer(value));
        }
    }

    @Test
    void everyReplicaTurnsHealthyAndARollingDeployLosesNoSubmissionNorJob() throws Exception {
        long runStarted = System.nanoTime();
        Declared declared = Declared.read(CfnTemplate.load(TEMPLATE));
        int desired = Math.min(declared.desiredCount(), 3);
        int maxRunning = desired * declared.maximumPercent() / 100;
        int minHealthy = (desired * declared.minimumHealthyPercent() + 99) / 100;
        System.out.printf(Locale.ROOT, "%n==== rolling deploy as declared: %s; %d replica(s) (the template's %d, at"
                + " most 3), minimum healthy %d %%, maximum %d %% (at most %d running, at least %d healthy) ====%n",
                declared.targetGroup(), desired, declared.desiredCount(), declared.minimumHealthyPercent(),
                declared.maximumPercent(), maxRunning, minHealthy);
        assertThat(maxRunning).as("a rolling deploy needs room for one new replica or one old one stopped")
                .isGreaterThan(minHealthy - 1);

        Dynalite dynalite = new Dynalite();
        dynalite.start();
        dynalite.createTable(LEASE_TABLE);
        DynamoDbCallRecorder dynamoDb = DynamoDbCallRecorder.start(dynalite.endpoint(),
                Path.of(RecordedAwsCalls.property().getValue()));
        ExecutorService work = Executors.newCachedThreadPool();
        AtomicBoolean submitting = new AtomicBoolean(true);
        AtomicBoolean watching = new AtomicBoolean(true);
        try (TargetGroupBalancer balancer = new TargetGroupBalancer(balancerPort, declared.targetGroup());
             AppProcess cloud = new AppProcess("cloud", "cloud", cloudSettings(), LOGS.resolve("cloud.log"),
                     uri(cloudPort, "/local/v1/stats"))) {
            cloud.start(Duration.ofSeconds(120));
            createTokenSecret();

            // The service's first tasks, started together as ECS starts them; each must be ready within the service's
            // health-check grace period, as ECS replaces a task the target group has not found healthy by then.
            readyWithin = declared.healthCheckGracePeriod();
            List<Integer> old = startAll(desired, balancer, dynamoDb.endpoint(), work);
            await("the first replicas healthy in the target group").atMost(declared.targetGroup().interval()
                    .multipliedBy(declared.targetGroup().healthyThreshold() + 1)).pollInterval(Duration.ofMillis(200))
                    .until(() -> balancer.healthy().containsAll(old));
            long epochBefore = leader(old.get(0)).path("epoch").asLong();

            // A client that submits without a pause through the balancer, and a watcher of every replica's liveness.
            Map<String, AtomicLong> answers = new ConcurrentHashMap<>();
            Future<?> client = work.submit(() -> {
                while (submitting.get()) {
                    answers.computeIfAbsent(post(), k -> new AtomicLong()).incrementAndGet();
                }
            });
            AtomicLong notLive = new AtomicLong();
            Map<Integer, Long> liveAtAge = new ConcurrentHashMap<>();
            Future<?> liveness = work.submit(() -> watchLiveness(watching, notLive, liveAtAge));
            long completedBefore = stats().path("jobsCompleted").asLong();

            // The rolling deploy: start what the maximum percent allows, wait until the target group finds them
            // healthy, then drain and stop what the minimum healthy percent allows, until no old replica is left.
            long deployStarted = System.nanoTime();
            List<Integer> fresh = new ArrayList<>();
            int leadersStopped = 0;
            List<long[]> handOvers = new ArrayList<>();
            int rounds = 0;
            while (!old.isEmpty()) {
                rounds++;
                int toStart = Math.min(maxRunning - running.size(), desired - fresh.size());
                List<Integer> started = startAll(toStart, balancer, dynamoDb.endpoint(), work);
                fresh.addAll(started);
                await("round " + rounds + ": the new replicas healthy in the target group")
                        .atMost(declared.targetGroup().interval().multipliedBy(declared.targetGroup().healthyThreshold() + 2))
                        .pollInterval(Duration.ofMillis(200)).until(() -> balancer.healthy().containsAll(started));
                int toStop = Math.min(old.size(), balancer.healthy().size() - minHealthy);
                assertThat(toStop).as("round " + rounds + " can stop an old replica").isPositive();
                List<Integer> stopping = List.copyOf(old.subList(0, toStop));
                for (int port : stopping) {
                    leadersStopped += isLeader(port) ? 1 : 0;
                }
                List<Future<Long>> stops = new ArrayList<>();
                for (int port : stopping) {
                    stops.add(work.submit(() -> {
                        balancer.deregister(port); // ECS drains every stopping task at once, then sends SIGTERM
                        long sigterm = System.nanoTime();
                        running.remove(port).terminate();
                        return sigterm;
                    }));
                }
                long firstSigterm = Long.MAX_VALUE;
                for (Future<Long> stop : stops) {
                    firstSigterm = Math.min(firstSigterm, stop.get());
                }
                // While the lease moves, a worker's claim or release may be answered 503 (it retries): from the
                // first SIGTERM until the old replicas are gone and the new leader's exit-settle is over.
                handOvers.add(new long[] {firstSigterm, System.nanoTime() + HAND_OVER_SLACK.toNanos()});
                old.removeAll(stopping);
            }
            double deploySeconds = (System.nanoTime() - deployStarted) / 1e9;
            submitting.set(false);
            client.get();

            await("a new replica leads").atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100))
                    .until(() -> fresh.stream().anyMatch(this::isLeader));
            long epochAfter = leader(fresh.stream().filter(this::isLeader).findFirst().orElseThrow()).path("epoch").asLong();
            long accepted = count(answers, "202");
            long sent = answers.values().stream().mapToLong(AtomicLong::get).sum();
            await("every accepted job completed").atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500))
                    .until(() -> stats().path("jobsCompleted").asLong() - completedBefore >= accepted);
            long completed = stats().path("jobsCompleted").asLong() - completedBefore;
            // A follower stays live however long it runs: watch the new replicas past three minutes.
            await("the new replicas live past " + LIVE_WATCH).atMost(LIVE_WATCH.plusSeconds(30))
                    .pollInterval(Duration.ofMillis(500))
                    .until(() -> fresh.stream().allMatch(p -> liveAtAge.getOrDefault(p, 0L) >= LIVE_WATCH.toNanos()));
            watching.set(false);
            liveness.get();
            String followers = fresh.stream().filter(p -> !isLeader(p)).map(p -> String.format(Locale.ROOT, "%.0f s",
                    liveAtAge.get(p) / 1e9)).toList().toString();

            List<TargetGroupBalancer.Failure> workerFailures = balancer.failures().stream()
                    .filter(f -> f.path().equals("/v1/claim") || f.path().equals("/v1/release")).toList();
            List<TargetGroupBalancer.Failure> outsideHandOver = workerFailures.stream()
                    .filter(f -> handOvers.stream().noneMatch(w -> f.atNanos() >= w[0] && f.atNanos() <= w[1])).toList();
            int turnedUnhealthy = balancer.turnedUnhealthy();

            // A replica that cannot reach the lease store is not ready, leader or follower; nor is it restarted.
            dynalite.stop();
            long storeStopped = System.nanoTime();
            await("every replica unready without its lease store").atMost(Duration.ofSeconds(20))
                    .pollInterval(Duration.ofMillis(200)).until(() -> fresh.stream().allMatch(p ->
                            isUnreadyForTheLeaseStore(health(p, "ready"))));
            double unreadyAfter = (System.nanoTime() - storeStopped) / 1e9;
            assertThat(fresh).as("every replica live without its lease store")
                    .allSatisfy(p -> assertThat(health(p, "live").statusCode()).isEqualTo(200));

            Map<String, String> figures = new LinkedHashMap<>();
            figures.put("replicas ready after their start (s, first readiness 200; the grace period allows "
                    + readyWithin.toSeconds() + ")", readyAfter.toString());
            figures.put("deploy duration", String.format(Locale.ROOT, "%.1f s in %d round(s)", deploySeconds, rounds));
            figures.put("lease moves (epoch after - before) / leaders stopped", (epochAfter - epochBefore) + " / "
                    + leadersStopped);
            figures.put("submissions sent / failed", sent + " / " + (sent - accepted) + " " + answers);
            figures.put("keyed submissions sent again (Idempotency-Key): answers", retries.toString());
            figures.put("jobs accepted / completed / lost", accepted + " / " + completed + " / "
                    + Math.max(0, accepted - completed));
            figures.put("worker calls answered 5xx: while the lease moved / otherwise", (workerFailures.size()
                    - outsideHandOver.size()) + " / " + outsideHandOver.size());
            figures.put("liveness answers not 200 (replicas not stopping)", Long.toString(notLive.get()));
            figures.put("new followers' age at their last live 200", followers);
            figures.put("lease store stopped: every replica unready after", String.format(Locale.ROOT, "%.1f s (live 200)",
                    unreadyAfter));
            figures.put("healthy targets that turned unhealthy", Integer.toString(turnedUnhealthy));
            figures.put("wall time of the rehearsal", String.format(Locale.ROOT, "%.0f s",
                    (System.nanoTime() - runStarted) / 1e9));
            StringBuilder out = new StringBuilder("==== rolling deploy figures ====\n");
            figures.forEach((k, v) -> out.append(String.format(Locale.ROOT, "%-60s %s%n", k, v)));
            System.out.println(out);

            assertThat(sent - accepted).as("submissions not answered 202: " + answers).isZero();
            assertThat(retries.keySet()).as("a keyed submission sent again is replayed: " + retries).containsOnly("202");
            assertThat(accepted).as("submissions during the deploy").isPositive();
            assertThat(epochAfter - epochBefore).as("lease moves, one per leader stopped").isEqualTo(leadersStopped);
            assertThat(leadersStopped).as("the deploy replaced the leader").isEqualTo(1);
            assertThat(completed).as("no job lost").isGreaterThanOrEqualTo(accepted);
            assertThat(outsideHandOver).as("worker calls answered 5xx while the lease stood still").isEmpty();
            assertThat(notLive.get()).as("liveness answers not 200").isZero();
            assertThat(turnedUnhealthy).as("healthy targets the group found unhealthy").isZero();
        } finally {
            submitting.set(false);
            watching.set(false);
            for (AppProcess replica : running.values()) {
                replica.close();
            }
            work.shutdownNow();
            dynamoDb.close();
            dynalite.stop();
        }
    }

    /**
     * Starts {@code count} replicas at once, registers each with the balancer as it starts (as ECS registers a task
     * once it runs) and returns their ports once each answered its readiness 200, which must be within
     * {@link #readyWithin} of start.
     */
    private List<Integer> startAll(int count, TargetGroupBalancer balancer, URI dynamoDb, ExecutorService work)
            throws Exception {
        List<Integer> ports = new ArrayList<>();
        List<Future<?>> starts = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            int port = LocalCloud.freePort();
            AppProcess replica = replica("r" + (++replicas), port, dynamoDb);
            ports.add(port);
            running.put(port, replica);
            balancer.register(port);
            starts.add(work.submit(() -> {
                long started = System.nanoTime();
                startedAt.put(port, started);
                replica.start(readyWithin);
                readyAfter.add(String.format(Locale.ROOT, "%.1f", (System.nanoTime() - started) / 1e9));
                return null;
            }));
        }
        for (Future<?> start : starts) {
            start.get();
        }
        return ports;
    }

    /** The token secret, as DEPLOY.md creates it before the stack: coscale's replicas read it at their start. */
    private void createTokenSecret() throws IOException {
        try (SecretsManagerClient secrets = SecretsManagerClient.builder()
                .endpointOverride(URI.create("http://127.0.0.1:" + ecs)).region(Region.of(REGION))
                .credentialsProvider(StaticCredentialsProvider.create(
                        AwsBasicCredentials.create(AwsCallLog.SETUP_KEY, AwsCallLog.SETUP_KEY)))
                .httpClientBuilder(UrlConnectionHttpClient.builder()).build()) {
            String value = JSON.writeValueAsString(TOKENS);
            String arn = secrets.createSecret(b -> b.name("coscale-tokens").secretString(value)).arn();
            assertThat(arn).isEqualTo(TOKEN_SECRET);
        }
    }

    private Map<String, String> cloudSettings() throws IOException {
        Map<String, String> settings = new HashMap<>(Map.of("quarkus.http.port", Integer.toString(cloudPort),
                "coscale.local.sqs-port", Integer.toString(sqs), "coscale.local.ecs-port", Integer.toString(ecs),
                "coscale.local.coscale-url", "http://127.0.0.1:" + balancerPort,
                "coscale.local.task-start-delay", "300ms", "coscale.local.worker-first-wait", "1s"));
        settings.put("coscale.local.worker-command", workerCommand());
        Map.Entry<String, String> recordCalls = RecordedAwsCalls.property();
        settings.put(recordCalls.getKey(), recordCalls.getValue());
        System.out.println("worker tasks: the Python example worker, environment from " + WORKER_TEMPLATE);
        return settings;
    }

    /**
     * A replica with the declared environment; the properties only point it at the local cloud and at dynalite
     * through the recorder of its DynamoDB calls. It does not create the lease table: the stack does.
     */
    private AppProcess replica(String id, int port, URI dynamoDb) {
        Map<String, String> settings = new HashMap<>(Map.of("quarkus.http.port", Integer.toString(port),
                "coscale.local.sqs-port", Integer.toString(sqs), "coscale.local.ecs-port", Integer.toString(ecs),
                "coscale.lease.dynamodb.endpoint-override", dynamoDb.toString(), "coscale.lease.replica-id", id,
                "coscale.lease.advertise-url", "http://127.0.0.1:" + port));
        return new AppProcess("replica-" + id, "attached", settings, replicaEnvironment,
                LOGS.resolve("replica-" + id + ".log"), uri(port, "/q/health/ready"));
    }

    /** Polls every running replica's liveness each second; counts answers other than 200, and notes each one's age at its last 200. */
    private void watchLiveness(AtomicBoolean on, AtomicLong notLive, Map<Integer, Long> liveAtAge) {
        while (on.get()) {
            for (Map.Entry<Integer, AppProcess> replica : Map.copyOf(running).entrySet()) {
                try {
                    int status = HTTP.send(HttpRequest.newBuilder(uri(replica.getKey(), "/q/health/live"))
                            .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
                    if (status == 200) {
                        liveAtAge.put(replica.getKey(), System.nanoTime() - startedAt.get(replica.getKey()));
                    } else if (running.containsKey(replica.getKey())) {
                        notLive.incrementAndGet();
                    }
                } catch (IOException e) {
                    // not listening yet, or stopped meanwhile
                } catch (InterruptedException e) {
                    return;
                }
            }
            try {
                Thread.sleep(1_000);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** Posts one job through the balancer, once: its status code, or "cut" when the connection failed. */
    /**
     * Posts one job through the balancer: every third with an Idempotency-Key (kept in the lease's DynamoDB table),
     * and every thirtieth then sent again with the same key, as a client whose answer was lost retries.
     */
    private String post() {
        long n = posts.incrementAndGet();
        String key = n % 3 == 0 ? "rehearsal-" + n : null;
        String first = post(key);
        if (n % 30 == 0 && first.equals("202")) {
            retries.computeIfAbsent(post(key), k -> new AtomicLong()).incrementAndGet();
        }
        return first;
    }

    private String post(String idempotencyKey) {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri(balancerPort, "/v1/pools/demo/jobs"))
                .timeout(Duration.ofSeconds(30)).header("Content-Type", "application/json")
                .header("Authorization", "Bearer " + TOKENS.get("upstream"))
                .POST(HttpRequest.BodyPublishers.ofString("{\"payload\": {\"seconds\": 0.05}}"));
        if (idempotencyKey != null) {
            request.header("Idempotency-Key", idempotencyKey);
        }
        try {
            return Integer.toString(HTTP.send(request.build(), HttpResponse.BodyHandlers.discarding()).statusCode());
        } catch (IOException e) {
            return "cut";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "cut";
        }
    }

    private JsonNode leader(int port) throws IOException, InterruptedException {
        return get(HttpRequest.newBuilder(uri(port, "/v1/leader")).header("Authorization", "Bearer "
                + TOKENS.get("upstream")));
    }

    /** A health check's status and body; status 0 when the replica did not answer. */
    private record Health(int statusCode, String body) {
    }

    private static Health health(int port, String which) {
        try {
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(uri(port, "/q/health/" + which))
                    .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
            return new Health(r.statusCode(), r.body());
        } catch (IOException e) {
            return new Health(0, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Health(0, e.toString());
        }
    }

    private static boolean isUnreadyForTheLeaseStore(Health ready) {
        return ready.statusCode() == 503 && ready.body().contains("lease store");
    }

    private boolean isLeader(int port) {
        try {
            return leader(port).path("self").asBoolean();
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private JsonNode stats() throws IOException, InterruptedException {
        return get(HttpRequest.newBuilder(uri(cloudPort, "/local/v1/stats")));
    }

    private static JsonNode get(HttpRequest.Builder request) throws IOException, InterruptedException {
        return JSON.readTree(HTTP.send(request.timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofString()).body());
    }

    private static long count(Map<String, AtomicLong> answers, String kind) {
        AtomicLong n = answers.get(kind);
        return n == null ? 0 : n.get();
    }

    private static URI uri(int port, String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }
}
