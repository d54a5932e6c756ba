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
import jakarta.inject.Singleton;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.eclipse.microprofile.config.ConfigProvider;
import org.jboss.logging.Logger;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.client.builder.AwsClientBuilder;
import software.amazon.awssdk.awscore.client.builder.AwsSyncClientBuilder;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
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
    /** Where the cloud profile serves its stats and fault controls. */
    static final String CLOUD_CONTROL_URL = "http://127.0.0.1:9326";

    private final LocalConfig config;
    private final ReferenceWorker referenceWorker;

    private EmbeddedSqs sqs;
    private SqsFaultProxy sqsProxy;
    private EcsEmulator ecs;

    LocalCloud(LocalConfig config, ReferenceWorker referenceWorker) {
        this.config = config;
        this.referenceWorker = referenceWorker;
    }

    /** Runs before the control plane's own start-up observers, which need SQS and ECS to be there. */
    void start(@Observes @Priority(1) StartupEvent event) {
        if (!config.enabled() || !embedded()) {
            return;
        }
        ClaimDelay.parse(config.workerClaimDelay()); // a bad setting fails start-up, not every task
        AwsCallLog callLog = config.awsCallLog().map(Path::of).map(AwsCallLog::to).orElse(AwsCallLog.NONE);
        String sqsEndpoint;
        if (config.sqsProxy() || callLog.enabled()) {
            // ElasticMQ (on a free port) names the proxy in the queue URLs it hands out, so every client that
            // follows one goes through it. The free port the system picks for it could be one this process is
            // about to serve on (ports chosen free a moment ago, as the tests' are): those are held meanwhile.
            try (PortHold held = PortHold.of(config.sqsPort(), config.ecsPort(), httpPort())) {
                sqs = EmbeddedSqs.start(0, config.sqsPort(), "us-east-1");
            }
            // Requests signed with the local cloud's own keys (coscale's, the workers', the set-up's) must be signed right.
            sqsProxy = SqsFaultProxy.start(config.sqsPort(), sqs.endpoint(), AwsCallLog.SECRETS);
            sqsProxy.recordCallsTo(callLog);
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
        ecs.recordCallsTo(callLog);
        LocalFaults.fromConfig(config.faults(), config.sqsProxy()).applyTo(ecs, sqsProxy);
        if (config.createDemo()) {
            // Signed with a key of its own, as an administrator's would be: the set-up is no call coscale makes.
            try (SqsClient setupSqs = setupClient(SqsClient.builder(), sqsEndpoint);
                    EcsClient setupEcs = setupClient(EcsClient.builder(), ecs.endpoint())) {
                DemoSetup.create(setupSqs, setupEcs, config.demoVisibilityTimeout());
            }
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

    private static <B extends AwsClientBuilder<B, C> & AwsSyncClientBuilder<B, C>, C> C setupClient(B builder,
            String endpoint) {
        return builder.endpointOverride(URI.create(endpoint)).region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(
                        AwsBasicCredentials.create(AwsCallLog.SETUP_KEY, AwsCallLog.SETUP_KEY)))
                .httpClientBuilder(UrlConnectionHttpClient.builder()).build();
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

    /**
     * Ports of 127.0.0.1 bound and kept from the system's free-port picks until closed, so that a server started
     * on port 0 meanwhile cannot take one. A port that cannot be bound (0, or served already) is skipped: nothing
     * picks it.
     */
    private record PortHold(List<ServerSocket> sockets) implements AutoCloseable {

        static PortHold of(int... ports) {
            List<ServerSocket> held = new ArrayList<>();
            for (int port : ports) {
                if (port == 0) {
                    continue;
                }
                try {
                    held.add(new ServerSocket(port, 1, InetAddress.getLoopbackAddress()));
                } catch (IOException e) {
                    // In use: not free for a port-0 pick either.
                }
            }
            return new PortHold(held);
        }

        @Override
        public void close() {
            for (ServerSocket socket : sockets) {
                try {
                    socket.close();
                } catch (IOException e) {
                    LOG.debugf(e, "closing the hold on port %d", socket.getLocalPort());
                }
            }
        }
    }

    /** A port on 127.0.0.1 that was free a moment ago, and that no outgoing connection will take meanwhile. */
    public static int freePort() {
        return LoopbackPorts.free();
    }
}
