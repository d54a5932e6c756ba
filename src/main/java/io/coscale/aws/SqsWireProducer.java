package io.coscale.aws;

import io.coscale.concurrent.Threads;
import io.coscale.config.ControlConfig;
import io.vertx.core.Vertx;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.SqsServiceClientConfiguration;
import software.amazon.awssdk.services.sqs.endpoints.SqsEndpointProvider;

/**
 * The {@link SqsWire} for the hot SQS calls, configured as the SDK client is ({@code quarkus.sqs.*}): its endpoint
 * (the override, else the one the SDK resolves for the Region), its Region, its credentials provider and its
 * connect and socket timeouts. At most {@code coscale.control.sqs-threads} connections to SQS, as many as the SQS
 * calls the control path makes at once.
 */
@Singleton
public class SqsWireProducer {

    private final ExecutorService credentialRefreshes = Executors.newSingleThreadExecutor(Threads.daemon("coscale-sqs-credentials"));

    @Produces
    @Singleton
    SqsWire sqsWire(Vertx vertx, SqsClient sqs, ControlConfig control,
            @ConfigProperty(name = "quarkus.sqs.sync-client.connection-timeout", defaultValue = "2S") Duration connectionTimeout,
            @ConfigProperty(name = "quarkus.sqs.sync-client.socket-timeout", defaultValue = "30S") Duration socketTimeout) {
        SqsServiceClientConfiguration config = sqs.serviceClientConfiguration();
        Region region = config.region();
        URI endpoint = config.endpointOverride().orElseGet(() -> SqsEndpointProvider.defaultProvider()
                .resolveEndpoint(p -> p.region(region)).join().url());
        return new SqsWire(vertx, endpoint, region.id(), new SqsCredentials(config.credentialsProvider(), credentialRefreshes),
                connectionTimeout, socketTimeout, control.sqsThreads());
    }

    void close(@Disposes SqsWire wire) {
        wire.close();
        credentialRefreshes.shutdownNow();
    }
}
