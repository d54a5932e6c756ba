package io.coscale.local;

import io.coscale.config.LocalConfig;
import io.coscale.local.ecs.EcsEmulator;
import io.coscale.local.sqs.EmbeddedSqs;
import io.coscale.local.sqs.SqsFaultProxy;
import io.coscale.local.task.ProcessTaskRunner;
import io.coscale.local.task.TaskRunner;
import io.coscale.local.task.ThreadTaskRunner;
import io.quarkus.runtime.LaunchMode;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.Map;
import java.util.Optional;
import org.eclipse.microprofile.config.ConfigProvider;
import org.jboss.logging.Logger;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * The local cloud: starts the embedded SQS server (behind the fault proxy when {@code coscale.local.sqs-proxy}
 * is on) and the ECS emulator before anything else runs, applies the configured faults, creates the demo pool's
 * resources through the real SDK clients, and stops everything on shut-down. Does nothing unless
 * {@code coscale.local.enabled} is true and {@code coscale.local.cloud} is {@code embedded}; with
 * {@code external} (the attached profile) the cloud is another process's.
 */
@Singleton
public class LocalCloud {

    private static final Logger LOG = Logger.getLogger(LocalCloud.class);
    /** The local cloud's access key id and secret, both {@code local} (application.properties, the worker's env). */
    private static final String LOCAL_KEY = "local";
    /** Where the cloud profile serves its stats and fault controls. */
    static final String CLOUD_CONTROL_URL = "http://127.0.0.1:9326";

    private final LocalConfig config;
    private final Instance<SqsClient> sqsClient;
    private final Instance<EcsClient> ecsClient;
    private final ReferenceWorker referenceWorker;

    private EmbeddedSqs sqs;
    private SqsFaultProxy sqsProxy;
    private EcsEmulator ecs;

    LocalCloud(LocalConfig config, Instance<SqsClient> sqsClient, Instance<EcsClient> ecsClient,
            ReferenceWorker referenceWorker) {
        this.config = config;
        this.sqsClient = sqsClient;
        this.ecsClient = ecsClient;
        this.referenceWorker = referenceWorker;
    }

    /** Runs before the control plane's own start-up observers, which need SQS and ECS to be there. */
    void start(@Observes @Priority(1) StartupEvent event) {
        if (!config.enabled() || !embedded()) {
            return;
        }
        ClaimDelay.parse(config.workerClaimDelay()); // a bad setting fails start-up, not every task
        String sqsEndpoint;
        if (config.sqsProxy()) {
            // ElasticMQ (on a free port) names the proxy in the queue URLs it hands out, so every client that
            // follows one goes through it.
            sqs = EmbeddedSqs.start(0, config.sqsPort(), "us-east-1");
            // Requests signed with the local cloud's own key (coscale's, the reference worker's) must be signed right.
            sqsProxy = SqsFaultProxy.start(config.sqsPort(), sqs.endpoint(), Map.of(LOCAL_KEY, LOCAL_KEY));
            sqsEndpoint = sqsProxy.endpoint();
        } else {
            sqs = EmbeddedSqs.start(config.sqsPort(), "us-east-1");
            sqsEndpoint = sqs.endpoint();
        }
        String coscaleUrl = coscaleUrl();
        TaskRunner runner = config.workerCommand().<TaskRunner>map(ProcessTaskRunner::new)
                .orElseGet(() -> new ThreadTaskRunner(referenceWorker));
        ecs = EcsEmulator.start(config.ecsPort(), new EcsEmulator.Options(config.clusterCapacity(),
                config.taskStartDelay(), config.schedulerInterval(), runner,
                Map.of("COSCALE_URL", coscaleUrl, "AWS_ENDPOINT_URL_SQS", sqsEndpoint,
                        ReferenceWorker.FIRST_WAIT_ENV, Long.toString(config.workerFirstWait().toSeconds()),
                        ReferenceWorker.CLAIM_DELAY_ENV, config.workerClaimDelay()),
                config.taskExitReportDelay()));
        LocalFaults.fromConfig(config.faults(), config.sqsProxy()).applyTo(ecs, sqsProxy);
        if (config.createDemo()) {
            DemoSetup.create(sqsClient.get(), ecsClient.get(), config.demoVisibilityTimeout());
        }
        LOG.infof("coscale local cloud%s: SQS on %s%s, ECS emulator on %s (cluster capacity %d, tasks run %s); "
                + "workers call coscale on %s; demo pool '%s'%s", config.cloudOnly() ? " (this process runs only the cloud)" : "",
                sqsEndpoint, sqsProxy == null ? "" : " (through the fault proxy)", ecs.endpoint(), config.clusterCapacity(),
                config.workerCommand().map(c -> "'" + c + "'").orElse("the in-JVM reference worker"), coscaleUrl,
                DemoSetup.POOL, config.cloudOnly() ? "; stats and faults on http://127.0.0.1:" + httpPort() + "/local/v1/" : "");
    }

    void stop(@Observes ShutdownEvent event) {
        if (ecs != null) {
            ecs.close();
        }
        if (sqsProxy != null) {
            sqsProxy.close();
        }
        if (sqs != null) {
            sqs.close();
        }
        referenceWorker.close();
    }

    /** The running ECS emulator, when this process runs the local cloud. */
    public Optional<EcsEmulator> emulator() {
        return Optional.ofNullable(ecs);
    }

    /** The SQS fault proxy, when this process runs the local cloud with {@code coscale.local.sqs-proxy}. */
    public Optional<SqsFaultProxy> sqsProxy() {
        return Optional.ofNullable(sqsProxy);
    }

    /** Why this process has no local cloud to report on, for a 404. */
    String absentReason() {
        if (config.enabled() && !embedded()) {
            return "this coscale is attached to a local cloud in another process: its stats and faults are on "
                    + CLOUD_CONTROL_URL + "/local/v1/";
        }
        return "local mode is off: no local cloud runs in this process";
    }

    private boolean embedded() {
        return switch (config.cloud()) {
            case "embedded" -> true;
            case "external" -> false;
            default -> throw new IllegalArgumentException(
                    "coscale.local.cloud: expected embedded or external, got '" + config.cloud() + "'");
        };
    }

    private String coscaleUrl() {
        return config.coscaleUrl().orElseGet(() -> "http://127.0.0.1:" + (config.cloudOnly() ? 8080 : httpPort()));
    }

    private static int httpPort() {
        String key = LaunchMode.current() == LaunchMode.TEST ? "quarkus.http.test-port" : "quarkus.http.port";
        return ConfigProvider.getConfig().getOptionalValue(key, Integer.class)
                .orElse(LaunchMode.current() == LaunchMode.TEST ? 8081 : 8080);
    }

    /** A port on 127.0.0.1 that was free a moment ago. */
    public static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free port on 127.0.0.1", e);
        }
    }
}
