package io.coscale.local.sqs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.coscale.local.LocalCloudTestResource;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.SqsException;

/**
 * The local cloud checks SigV4 as AWS does. The oracle is the AWS SDK: what its signer signs passes, and the same
 * request with anything changed (body, a signed header, the secret, the date) is refused.
 */
class SigV4CheckTest {

    private static final AwsCredentialsIdentity LOCAL = AwsCredentialsIdentity.create("local", "local");

    private static EmbeddedSqs elasticMq;
    private static SqsFaultProxy proxy;

    @BeforeAll
    static void start() {
        int proxyPort = LocalCloudTestResource.freePort();
        elasticMq = EmbeddedSqs.start(0, proxyPort, "us-east-1");
        proxy = SqsFaultProxy.start(proxyPort, elasticMq.endpoint(), Map.of("local", "local"));
    }

    @AfterAll
    static void stop() {
        proxy.close();
        elasticMq.close();
    }

    private static SqsClient client(String key, String secret) {
        return SqsClient.builder().endpointOverride(URI.create(proxy.endpoint())).region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(key, secret)))
                .overrideConfiguration(c -> c.retryStrategy(AwsRetryStrategy.doNotRetry()))
                .httpClient(UrlConnectionHttpClient.create()).build();
    }

    @Test
    void theSdksRequestsPassAndAWrongSecretIsRefusedAsSqsRefusesIt() {
        try (SqsClient right = client("local", "local"); SqsClient wrong = client("local", "not-the-secret")) {
            String url = right.createQueue(b -> b.queueName("signed")).queueUrl();
            right.sendMessage(b -> b.queueUrl(url).messageBody("a body with ünïcode & symbols = +"));
            assertThat(right.receiveMessage(b -> b.queueUrl(url).waitTimeSeconds(1)).messages()).hasSize(1);

            assertThatThrownBy(() -> wrong.sendMessage(b -> b.queueUrl(url).messageBody("x")))
                    .isInstanceOfSatisfying(SqsException.class, e -> {
                        assertThat(e.statusCode()).isEqualTo(403);
                        assertThat(e.awsErrorDetails().errorCode()).isEqualTo("SignatureDoesNotMatch");
                    });
        }
    }

    @Test
    void requestsSignedWithAKeyTheLocalCloudDoesNotKnowGoThroughUnchecked() {
        try (SqsClient other = client("someone-elses-key", "whatever")) {
            assertThat(other.listQueues().queueUrls()).isNotNull();
        }
    }

    @Test
    void aSignedRequestPassesAndAnyChangeToItIsRefused() {
        Instant now = Instant.now();
        byte[] body = "{\"QueueUrl\":\"q\"}".getBytes(StandardCharsets.UTF_8);
        SdkHttpRequest signed = sign(SdkHttpRequest.builder().method(SdkHttpMethod.POST)
                .uri(URI.create("http://127.0.0.1:9324/000000000000/q?b=2&a=1%202&c"))
                .putHeader("Content-Type", "application/x-amz-json-1.0")
                .putHeader("X-Amz-Target", "AmazonSQS.GetQueueAttributes").build(), body);

        assertThat(check(signed, body, "local", now)).isNull();
        assertThat(check(signed, "{\"QueueUrl\":\"r\"}".getBytes(StandardCharsets.UTF_8), "local", now).code())
                .isEqualTo("SignatureDoesNotMatch");
        assertThat(check(signed.toBuilder().putHeader("X-Amz-Target", "AmazonSQS.PurgeQueue").build(), body, "local", now)
                .code()).isEqualTo("SignatureDoesNotMatch");
        assertThat(check(signed.toBuilder().putRawQueryParameter("a", "3").build(), body, "local", now).code())
                .isEqualTo("SignatureDoesNotMatch");
        assertThat(check(signed, body, "other-secret", now).code()).isEqualTo("SignatureDoesNotMatch");
        assertThat(check(signed, body, "local", now.plus(Duration.ofMinutes(16))).message()).contains("expired");
        assertThat(check(signed.toBuilder().removeHeader("Authorization").build(), body, "local", now).code())
                .isEqualTo("MissingAuthenticationToken");
    }

    private static SdkHttpRequest sign(SdkHttpRequest request, byte[] body) {
        return AwsV4HttpSigner.create().sign(r -> r.identity(LOCAL).request(request)
                .payload(ContentStreamProvider.fromByteArray(body))
                .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, "sqs")
                .putProperty(AwsV4HttpSigner.REGION_NAME, "us-east-1")).request();
    }

    private static SigV4Check.Refusal check(SdkHttpRequest request, byte[] body, String secret, Instant now) {
        URI uri = request.getUri();
        return SigV4Check.check(request.method().name(), uri.getRawPath(), uri.getRawQuery(), request.headers(), body,
                key -> key.equals("local") ? secret : null, now);
    }
}
