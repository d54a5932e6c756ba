package io.coscale.e2e;

import java.net.URI;
import org.eclipse.microprofile.config.ConfigProvider;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.client.builder.AwsClientBuilder;
import software.amazon.awssdk.awscore.client.builder.AwsSyncClientBuilder;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * SQS and ECS clients of the test itself, for what a test sets up and looks at in the local cloud: they sign with a key
 * of their own ({@link #KEY}), so that the IAM oracle tells the test's calls from coscale's (which sign with the
 * local cloud's {@code local}). Built on the running application's endpoints.
 */
final class HarnessClients {

    static final String KEY = "test-harness";

    private HarnessClients() {
    }

    static SqsClient sqs() {
        return build(SqsClient.builder(), "quarkus.sqs.endpoint-override");
    }

    static EcsClient ecs() {
        return build(EcsClient.builder(), "coscale.ecs.endpoint-override");
    }

    private static <B extends AwsClientBuilder<B, C> & AwsSyncClientBuilder<B, C>, C> C build(B builder,
            String endpointProperty) {
        String endpoint = ConfigProvider.getConfig().getValue(endpointProperty, String.class);
        return builder.endpointOverride(URI.create(endpoint)).region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(KEY, KEY)))
                .httpClientBuilder(UrlConnectionHttpClient.builder()).build();
    }
}
