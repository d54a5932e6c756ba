package io.coscale.local.ecs;

import static org.awaitility.Awaitility.await;

import io.coscale.local.task.TaskRunner;
import io.coscale.local.task.ThreadTaskRunner;
import java.net.URI;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import org.awaitility.core.ConditionFactory;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.ecs.model.ContainerDefinition;
import software.amazon.awssdk.services.ecs.model.EcsException;
import software.amazon.awssdk.services.ecs.model.KeyValuePair;
import software.amazon.awssdk.services.ecs.model.Service;
import software.amazon.awssdk.services.ecs.model.Task;

/**
 * One emulator on a free port and a real AWS SDK ECS client pointed at it, with retries off so that throttling
 * and injected faults reach the test. Tests talk to the emulator only through {@link #ecs}; {@code stats()} and
 * {@code faults()} are the emulator's public test hooks.
 */
public final class EcsEmulatorFixture implements AutoCloseable {

    public static final String CLUSTER = "test-cluster";
    public static final String FAMILY = "worker";

    public final EcsEmulator emulator;
    public final EcsClient ecs;
    /** How far {@link #createServicesPastThrottling} moved the emulator's throttles on, past {@code System.nanoTime()}. */
    private final AtomicLong throttlesAhead = new AtomicLong();

    private EcsEmulatorFixture(EcsEmulator emulator) {
        this.emulator = emulator;
        this.ecs = EcsClient.builder()
                .endpointOverride(URI.create(emulator.endpoint()))
                .region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test")))
                .httpClient(UrlConnectionHttpClient.create())
                .overrideConfiguration(c -> c.retryStrategy(AwsRetryStrategy.doNotRetry()))
                .build();
    }

    /** An emulator with a fast scheduler (100 ms start delay, 20 ms ticks). */
    public static EcsEmulatorFixture start(int capacity, TaskRunner runner) {
        return start(capacity, runner, Map.of());
    }

    public static EcsEmulatorFixture start(int capacity, TaskRunner runner, Map<String, String> taskEnvironment) {
        return start(new EcsEmulator.Options(capacity, Duration.ofMillis(100), Duration.ofMillis(20), runner,
                taskEnvironment));
    }

    public static EcsEmulatorFixture start(EcsEmulator.Options options) {
        return new EcsEmulatorFixture(EcsEmulator.start(0, options));
    }

    /** An emulator of idle tasks (capacity 20) with one service, {@code service}, at count 0. */
    public static EcsEmulatorFixture withService(String service) {
        EcsEmulatorFixture fixture = start(20, idleRunner());
        fixture.setUpCluster(1, Map.of());
        fixture.createService(service, 0);
        return fixture;
    }

    /** A runner whose in-JVM tasks idle until their stop signal (then exit 143). */
    public static TaskRunner idleRunner() {
        return new ThreadTaskRunner(launch -> {
            new CountDownLatch(1).await();
            return 0;
        });
    }

    /** Creates the cluster and registers {@link #FAMILY} with one container. */
    public void setUpCluster(int stopTimeoutSeconds, Map<String, String> environment) {
        ecs.createCluster(r -> r.clusterName(CLUSTER));
        ecs.registerTaskDefinition(r -> r.family(FAMILY).containerDefinitions(ContainerDefinition.builder()
                .name("main").image("coscale/worker").stopTimeout(stopTimeoutSeconds)
                .environment(environment.entrySet().stream()
                        .map(e -> KeyValuePair.builder().name(e.getKey()).value(e.getValue()).build()).toList())
                .build()));
    }

    public void createService(String name, int desiredCount) {
        ecs.createService(r -> r.cluster(CLUSTER).serviceName(name).taskDefinition(FAMILY).desiredCount(desiredCount));
    }

    /**
     * Creates services at count 0 or more in any number: CreateService shares ECS's 50-burst, 5-per-second bucket with
     * UpdateService, and where the bucket throttles a call the emulator's throttles are moved on by the refill the call
     * waits for instead of the test sleeping it (set-up, not what a test is about). Every bucket then stands as that
     * long a real wait would leave it, and refills at the real rate from there.
     */
    public void createServicesPastThrottling(Map<String, Integer> desiredCounts) {
        emulator.throttleClock(() -> System.nanoTime() + throttlesAhead.get());
        desiredCounts.forEach((name, desired) -> {
            while (true) {
                try {
                    createService(name, desired);
                    return;
                } catch (EcsException e) {
                    if (!"ThrottlingException".equals(e.awsErrorDetails().errorCode())) {
                        throw e;
                    }
                    throttlesAhead.addAndGet(Duration.ofMillis(200).toNanos());
                }
            }
        });
    }

    public void setDesiredCount(String service, int desiredCount) {
        ecs.updateService(r -> r.cluster(CLUSTER).service(service).desiredCount(desiredCount));
    }

    public Service service(String name) {
        return ecs.describeServices(r -> r.cluster(CLUSTER).services(name)).services().get(0);
    }

    /** The service's tasks that ECS has not been told to stop (desiredStatus RUNNING). */
    public List<Task> activeTasks(String service) {
        List<String> arns = ecs.listTasks(r -> r.cluster(CLUSTER).serviceName(service)).taskArns();
        return arns.isEmpty() ? List.of() : tasks(arns.toArray(String[]::new));
    }

    public List<Task> tasks(String... arns) {
        return ecs.describeTasks(r -> r.cluster(CLUSTER).tasks(Arrays.asList(arns))).tasks();
    }

    public Task task(String arn) {
        return tasks(arn).get(0);
    }

    /** Waits for the service's counts to settle at the given values. */
    public void awaitCounts(String service, int running, int pending) {
        eventually().until(() -> {
            Service s = service(service);
            return s.runningCount() == running && s.pendingCount() == pending;
        });
    }

    /** Awaitility with timeouts that suit the fast scheduler on a busy 2-core machine. */
    public static ConditionFactory eventually() {
        return await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(25));
    }

    @Override
    public void close() {
        ecs.close();
        emulator.close();
    }
}
