package io.coscale.aws;

import io.coscale.config.EcsConfig;
import io.coscale.config.LeaseConfig;
import io.coscale.config.LocalConfig;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.net.URI;
import java.time.Duration;
import java.util.Optional;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.ecs.EcsClientBuilder;

/**
 * The ECS client: there is no Quarkus extension for ECS, so it is built here. Credentials come from the AWS
 * default chain (environment, profile, ECS task role); local mode uses dummy static ones, since the
 * emulator checks none. Retries are the gateway's business (with the shared budget), so the SDK's own are off. Every
 * call ends within {@code coscale.ecs.call-timeout}, which must fit the lease (see {@link #checkCallTimeout}).
 */
@Singleton
public class AwsClientProducer {

    @Produces
    @Singleton
    EcsClient ecsClient(EcsConfig config, LocalConfig local, LeaseConfig lease) {
        checkCallTimeout(config.callTimeout(), lease.margin());
        return ecsClient(credentials(local.enabled()), config.endpointOverride(), region(config.region(), local).map(Region::of),
                config.callTimeout());
    }

    /** What coscale signs with: local mode's dummy key (the local cloud checks no signature), else the AWS default chain. */
    public static AwsCredentialsProvider credentials(boolean local) {
        return local ? StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local"))
                : DefaultCredentialsProvider.builder().build();
    }

    /** The Region configured, else local mode's {@code us-east-1} (the local cloud's), else the SDK's own choice. */
    public static Optional<String> region(Optional<String> configured, LocalConfig local) {
        return configured.or(() -> local.enabled() ? Optional.of("us-east-1") : Optional.empty());
    }

    /**
     * The ECS client: no SDK retries, and every call, connecting included, ends within {@code callTimeout} (answered,
     * or abandoned with a timeout).
     */
    public static EcsClient ecsClient(AwsCredentialsProvider credentials, Optional<URI> endpoint, Optional<Region> region,
            Duration callTimeout) {
        EcsClientBuilder builder = EcsClient.builder()
                .credentialsProvider(credentials)
                .httpClientBuilder(UrlConnectionHttpClient.builder()
                        .connectionTimeout(callTimeout)
                        .socketTimeout(callTimeout))
                .overrideConfiguration(c -> c.retryStrategy(b -> b.maxAttempts(1))
                        .apiCallAttemptTimeout(callTimeout)
                        .apiCallTimeout(callTimeout));
        endpoint.ifPresent(builder::endpointOverride);
        region.ifPresent(builder::region);
        return builder.build();
    }

    /**
     * Refuses an ECS call timeout that does not fit the lease. A write checked with the margin of lease left
     * ({@code Leadership.checkWrite}) has at least two margins before another replica can take the lease over (the
     * holder leads until {@code duration - margin}, a follower waits {@code duration + margin}, and one margin is kept
     * for the clocks' rates); the call must end, answered or abandoned, within them.
     *
     * @throws IllegalArgumentException naming the keys, otherwise
     */
    public static void checkCallTimeout(Duration callTimeout, Duration leaseMargin) {
        if (callTimeout.isNegative() || callTimeout.isZero() || callTimeout.compareTo(leaseMargin.multipliedBy(2)) > 0) {
            throw new IllegalArgumentException("coscale.ecs.call-timeout (" + callTimeout + ") must be positive and at"
                    + " most twice coscale.lease.margin (" + leaseMargin + "): an ECS write checked against the lease"
                    + " must end before another replica can take the lease over");
        }
    }

    void close(@Disposes EcsClient client) {
        client.close();
    }
}
