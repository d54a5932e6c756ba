package io.coscale.local;

import io.coscale.config.LocalConfig;
import io.coscale.local.ecs.EcsEmulator;
import io.coscale.local.sqs.EmbeddedSqs;
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
import java.util.Map;
import java.util.Optional;
import org.eclipse.microprofile.config.ConfigProvider;
import org.jboss.logging.Logger;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * Local mode: starts the embedded SQS server and the ECS emulator before anything else runs, creates the
 * demo pool's resources through the real SDK clients, and stops both on shut-down. Does nothing unless
 * {@code coscale.local.enabled} is true (the dev, local and test profiles).
 */
@Singleton
public class LocalCloud {

    private static final Logger LOG = Logger.getLogger(LocalCloud.class);

    private final LocalConfig config;
    private final Instance<SqsClient> sqsClient;
    private final Instance<EcsClient> ecsClient;
    private final ReferenceWorker referenceWorker;

    private EmbeddedSqs sqs;
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
        if (!config.enabled()) {
            return;
        }
        ClaimDelay.parse(config.workerClaimDelay()); // a bad setting fails start-up, not every task
        sqs = EmbeddedSqs.start(config.sqsPort(), "us-east-1");
        String coscaleUrl = "http://127.0.0.1:" + httpPort();
        TaskRunner runner = config.workerCommand().<TaskRunner>map(ProcessTaskRunner::new)
                .orElseGet(() -> new ThreadTaskRunner(referenceWorker));
        ecs = EcsEmulator.start(config.ecsPort(), new EcsEmulator.Options(config.clusterCapacity(),
                config.taskStartDelay(), config.schedulerInterval(), runner,
                Map.of("COSCALE_URL", coscaleUrl, "AWS_ENDPOINT_URL_SQS", sqs.endpoint(),
                        ReferenceWorker.FIRST_WAIT_ENV, Long.toString(config.workerFirstWait().toSeconds()),
                        ReferenceWorker.CLAIM_DELAY_ENV, config.workerClaimDelay()),
                config.taskExitReportDelay()));
        if (config.createDemo()) {
            DemoSetup.create(sqsClient.get(), ecsClient.get(), config.demoVisibilityTimeout());
        }
        LOG.infof("coscale local cloud: SQS on %s, ECS emulator on %s (cluster capacity %d, tasks run %s); "
                + "coscale on %s, demo pool '%s'", sqs.endpoint(), ecs.endpoint(), config.clusterCapacity(),
                config.workerCommand().map(c -> "'" + c + "'").orElse("the in-JVM reference worker"), coscaleUrl,
                DemoSetup.POOL);
    }

    void stop(@Observes ShutdownEvent event) {
        if (ecs != null) {
            ecs.close();
        }
        if (sqs != null) {
            sqs.close();
        }
        referenceWorker.close();
    }

    /** The running ECS emulator, when local mode is on. */
    public Optional<EcsEmulator> emulator() {
        return Optional.ofNullable(ecs);
    }

    private static int httpPort() {
        String key = LaunchMode.current() == LaunchMode.TEST ? "quarkus.http.test-port" : "quarkus.http.port";
        return ConfigProvider.getConfig().getOptionalValue(key, Integer.class)
                .orElse(LaunchMode.current() == LaunchMode.TEST ? 8081 : 8080);
    }
}
