package io.coscale.aws;

import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.time.Duration;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import software.amazon.awssdk.http.apache5.Apache5HttpClient;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.SqsClientBuilder;

/**
 * The SQS client: the extension's builder (endpoint, region, credentials from {@code quarkus.sqs.*}) on the SDK's
 * Apache 5 HTTP client, which keeps its pooled connections and buffers, where URLConnection makes a new buffered
 * stream and parses headers anew per request. The timeouts are Quarkus's {@code quarkus.sqs.sync-client.*} ones,
 * and failures classify as {@link AwsCallException} says: a refused connection is a
 * {@link java.net.ConnectException} (nothing sent), a cut or a timed-out answer is not (maybe applied).
 */
@Singleton
public class SqsClientProducer {

    @Produces
    @Singleton
    SqsClient sqsClient(SqsClientBuilder builder,
            @ConfigProperty(name = "quarkus.sqs.sync-client.connection-timeout", defaultValue = "2S") Duration connectionTimeout,
            @ConfigProperty(name = "quarkus.sqs.sync-client.socket-timeout", defaultValue = "30S") Duration socketTimeout) {
        return builder.httpClientBuilder(Apache5HttpClient.builder()
                        .connectionTimeout(connectionTimeout)
                        .socketTimeout(socketTimeout))
                .build();
    }

    void close(@Disposes SqsClient client) {
        client.close();
    }
}
