package io.coscale.aws;

import io.coscale.config.LeaseConfig;
import io.coscale.config.LocalConfig;
import java.net.URI;
import java.time.Duration;
import java.util.Optional;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClientBuilder;

/**
 * How to reach coscale's DynamoDB table, which holds the lease and the idempotency records, and the one place its
 * clients are built.
 *
 * @param table            the table's name
 * @param endpointOverride the DynamoDB endpoint; empty for the Region's
 * @param region           the Region; empty for the AWS default chain
 * @param dummyCredentials sign with fixed dummy credentials (a local server) instead of the AWS default chain
 * @param callTimeout      the longest one call may take
 */
public record DynamoDbTable(String table, Optional<URI> endpointOverride, Optional<String> region,
        boolean dummyCredentials, Duration callTimeout) {

    /**
     * The lease table as {@code coscale.lease} names it, with calls of at most {@code callTimeout}. Local mode signs
     * with dummy credentials and defaults the Region, so that a local DynamoDB-compatible server stands in.
     */
    public static DynamoDbTable of(LeaseConfig config, LocalConfig local, Duration callTimeout) {
        return new DynamoDbTable(config.table(), config.dynamodb().endpointOverride(),
                AwsClientProducer.region(config.dynamodb().region(), local),
                local.enabled(), callTimeout);
    }

    /**
     * A client as these settings say: one attempt per call (the caller decides whether to try again), every call
     * bounded by {@code callTimeout}.
     */
    public DynamoDbClient client() {
        DynamoDbClientBuilder builder = DynamoDbClient.builder()
                .credentialsProvider(AwsClientProducer.credentials(dummyCredentials))
                .httpClientBuilder(UrlConnectionHttpClient.builder()
                        .connectionTimeout(callTimeout)
                        .socketTimeout(callTimeout))
                .overrideConfiguration(c -> c.retryStrategy(b -> b.maxAttempts(1))
                        .apiCallTimeout(callTimeout));
        endpointOverride.ifPresent(builder::endpointOverride);
        region.map(Region::of).ifPresent(builder::region);
        return builder.build();
    }
}
