package io.coscale.aws;

import io.coscale.config.EcsConfig;
import io.coscale.config.LocalConfig;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
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
 * emulator checks none. Retries are the gateway's business (with the shared budget), so the SDK's own are off.
 */
@Singleton
public class AwsClientProducer {

    @Produces
    @Singleton
    EcsClient ecsClient(EcsConfig config, LocalConfig local) {
        AwsCredentialsProvider credentials = local.enabled()
                ? StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local"))
                : DefaultCredentialsProvider.builder().build();
        EcsClientBuilder builder = EcsClient.builder()
                .credentialsProvider(credentials)
                .httpClientBuilder(UrlConnectionHttpClient.builder()
                        .connectionTimeout(config.callTimeout())
                        .socketTimeout(config.callTimeout()))
                .overrideConfiguration(c -> c.retryStrategy(b -> b.maxAttempts(1)));
        config.endpointOverride().ifPresent(builder::endpointOverride);
        config.region().or(() -> local.enabled() ? java.util.Optional.of("us-east-1") : java.util.Optional.empty())
                .map(Region::of)
                .ifPresent(builder::region);
        return builder.build();
    }

    void close(@Disposes EcsClient client) {
        client.close();
    }
}
