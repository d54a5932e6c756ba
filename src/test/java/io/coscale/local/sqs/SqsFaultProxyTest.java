package io.coscale.local.sqs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.coscale.local.LocalCloudTestResource;
import io.coscale.local.sqs.SqsFaultProxy.Faults;
import io.coscale.local.sqs.SqsFaultProxy.Stats;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageAttributeValue;
import software.amazon.awssdk.services.sqs.model.SqsException;

/** The SQS fault proxy in front of a real ElasticMQ, through the real AWS SDK with retries off. */
class SqsFaultProxyTest {

    private static EmbeddedSqs elasticMq;
    private static SqsFaultProxy proxy;
    private static SqsClient sqs;

    @BeforeAll
    static void startElasticMqBehindTheProxy() {
        // The proxy's port must be known before ElasticMQ starts, since ElasticMQ's queue URLs name it.
        int proxyPort = LocalCloudTestResource.freePort();
        elasticMq = EmbeddedSqs.start(0, proxyPort, "us-east-1");
        proxy = SqsFaultProxy.start(proxyPort, elasticMq.endpoint());
        sqs = client(proxy.endpoint());
    }

    @AfterAll
    static void stop() {
        sqs.close();
        proxy.close();
        elasticMq.close();
    }

    @AfterEach
    void faultsOff() {
        proxy.set(Faults.NONE);
    }

    static SqsClient client(String endpoint) {
        return SqsClient.builder().endpointOverride(URI.create(endpoint)).region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("t", "t")))
                .overrideConfiguration(c -> c.retryStrategy(AwsRetryStrategy.doNotRetry()))
                .httpClient(UrlConnectionHttpClient.create()).build();
    }

    @Test
    void queueUrlsNameTheProxyEvenWhenAskedOfElasticMqDirectly() {
        String url = sqs.createQueue(b -> b.queueName("named")).queueUrl();
        assertThat(url).isEqualTo(proxy.endpoint() + "/000000000000/named");
        try (SqsClient direct = client(elasticMq.endpoint())) {
            assertThat(direct.getQueueUrl(b -> b.queueName("named")).queueUrl()).isEqualTo(url);
        }
        assertThat(elasticMq.endpoint()).isNotEqualTo(proxy.endpoint());
    }

    @Test
    void sendReceiveAndDeleteGoThroughWithAttributes() {
        String url = sqs.createQueue(b -> b.queueName("faithful")).queueUrl();
        // The SDK checks the MD5 of body and attributes that SQS echoes: a byte changed on the way would fail here.
        sqs.sendMessage(b -> b.queueUrl(url).messageBody("{\"seconds\":1}")
                .messageAttributes(Map.of("coscale-job-id", MessageAttributeValue.builder()
                        .dataType("String").stringValue("j-1").build())));
        List<Message> received = sqs.receiveMessage(b -> b.queueUrl(url).waitTimeSeconds(1)
                .messageAttributeNames("All")).messages();
        assertThat(received).extracting(Message::body).containsExactly("{\"seconds\":1}");
        assertThat(received.get(0).messageAttributes().get("coscale-job-id").stringValue()).isEqualTo("j-1");
        sqs.deleteMessage(b -> b.queueUrl(url).receiptHandle(received.get(0).receiptHandle()));
        assertThat(depth(url)).isZero();
    }

    @Test
    void dozensOfLongPollsWaitSideBySide() {
        String url = sqs.createQueue(b -> b.queueName("long-polls")).queueUrl();
        int polls = 50;
        ExecutorService callers = Executors.newFixedThreadPool(polls);
        try {
            long before = proxy.stats().requests();
            List<CompletableFuture<List<Message>>> answers = IntStream.range(0, polls)
                    .mapToObj(i -> CompletableFuture.supplyAsync(
                            () -> sqs.receiveMessage(b -> b.queueUrl(url).waitTimeSeconds(20)).messages(), callers))
                    .toList();
            // Every poll reaches the proxy while none has been answered. Held in rounds of a pool of 16, the 17th
            // would reach it only once one of the first 16 had been answered, empty, 20 s later.
            await().atMost(Duration.ofSeconds(60)).until(() -> proxy.stats().requests() - before == polls
                    || answers.stream().anyMatch(CompletableFuture::isDone));
            assertThat(answers).noneMatch(CompletableFuture::isDone);
            assertThat(proxy.stats().requests() - before).isEqualTo(polls);

            // Only now is there anything to receive: a poll that gets one of these was still held when it was sent,
            // so all 50 were held at once, each until a message came for it.
            List<String> sent = IntStream.range(0, polls).mapToObj(i -> "m" + i).toList();
            sent.forEach(body -> sqs.sendMessage(b -> b.queueUrl(url).messageBody(body)));
            assertThat(answers).allSatisfy(answer -> assertThat(answer.join()).hasSize(1));
            assertThat(answers.stream().map(CompletableFuture::join).map(received -> received.get(0).body()))
                    .containsExactlyInAnyOrderElementsOf(sent);
        } finally {
            callers.shutdownNow();
        }
    }

    @Test
    void requestsAreCountedByWhoSignedThemAndTheirAction() {
        String url = sqs.createQueue(b -> b.queueName("counted")).queueUrl();
        Map<String, Long> before = proxy.stats().calls();
        sqs.sendMessage(b -> b.queueUrl(url).messageBody("one"));
        sqs.getQueueAttributes(b -> b.queueUrl(url).attributeNamesWithStrings("All"));
        sqs.getQueueAttributes(b -> b.queueUrl(url).attributeNamesWithStrings("All"));

        Map<String, Long> after = proxy.stats().calls();
        assertThat(after.get("t SendMessage") - before.getOrDefault("t SendMessage", 0L)).isEqualTo(1);
        assertThat(after.get("t GetQueueAttributes") - before.getOrDefault("t GetQueueAttributes", 0L)).isEqualTo(2);
    }

    @Test
    void anInjectedErrorIsSqsInternalErrorAndNothingHappened() {
        String url = sqs.createQueue(b -> b.queueName("errors")).queueUrl();
        Stats before = proxy.stats();
        proxy.set(new Faults(Duration.ZERO, 1, 0));
        assertThatThrownBy(() -> sqs.sendMessage(b -> b.queueUrl(url).messageBody("lost")))
                .isInstanceOfSatisfying(SqsException.class, e -> {
                    assertThat(e.statusCode()).isEqualTo(500);
                    assertThat(e.awsErrorDetails().errorCode()).isEqualTo("InternalError");
                });
        proxy.set(Faults.NONE);
        assertThat(depth(url)).isZero();
        assertThat(delta(before)).isEqualTo(new Stats(2, 0, 1, 0));
    }

    @Test
    void aResetHidesASendThatHappened() {
        String url = sqs.createQueue(b -> b.queueName("resets")).queueUrl();
        Stats before = proxy.stats();
        proxy.set(new Faults(Duration.ZERO, 0, 1));
        assertThatThrownBy(() -> sqs.sendMessage(b -> b.queueUrl(url).messageBody("happened anyway")))
                .isInstanceOf(SdkClientException.class);
        proxy.set(Faults.NONE);
        List<Message> received = sqs.receiveMessage(b -> b.queueUrl(url).maxNumberOfMessages(10)).messages();
        // Exactly one: neither the proxy nor the SDK's HTTP client sent the request twice.
        assertThat(received).extracting(Message::body).containsExactly("happened anyway");
        assertThat(delta(before)).isEqualTo(new Stats(2, 0, 0, 1));
    }

    @Test
    void latencyDelaysEveryCallByAtLeastThatMuch() {
        String url = sqs.createQueue(b -> b.queueName("slow")).queueUrl();
        Stats before = proxy.stats();
        proxy.set(new Faults(Duration.ofMillis(300), 0, 0));
        long start = System.nanoTime();
        sqs.sendMessage(b -> b.queueUrl(url).messageBody("late"));
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(300));
        assertThat(delta(before)).isEqualTo(new Stats(1, 1, 0, 0));
        proxy.set(Faults.NONE);
        assertThat(depth(url)).isEqualTo(1);
    }

    @Test
    void theQueryProtocolGetsXmlAnswersAndXmlErrors() throws Exception {
        String url = sqs.createQueue(b -> b.queueName("query")).queueUrl();
        HttpResponse<String> sent = postForm(url, "Action=SendMessage&MessageBody=hello&Version=2012-11-05&QueueUrl="
                + URLEncoder.encode(url, StandardCharsets.UTF_8));
        assertThat(sent.statusCode()).isEqualTo(200);
        assertThat(sent.body()).contains("<SendMessageResponse").contains("<MessageId>");

        proxy.set(new Faults(Duration.ZERO, 1, 0));
        HttpResponse<String> failed = postForm(url, "Action=SendMessage&MessageBody=lost&Version=2012-11-05&QueueUrl="
                + URLEncoder.encode(url, StandardCharsets.UTF_8));
        assertThat(failed.statusCode()).isEqualTo(500);
        assertThat(failed.headers().firstValue("Content-Type")).hasValue("text/xml");
        assertThat(failed.body()).startsWith("<?xml").contains("<ErrorResponse")
                .contains("<Type>Receiver</Type>").contains("<Code>InternalError</Code>");
        proxy.set(Faults.NONE);
        assertThat(depth(url)).isEqualTo(1);
    }

    @Test
    void anUnreachableElasticMqIsABadGatewayNotAnInjectedReset() {
        try (SqsFaultProxy orphan = SqsFaultProxy.start(0, "http://127.0.0.1:" + LocalCloudTestResource.freePort());
                SqsClient client = client(orphan.endpoint())) {
            assertThatThrownBy(() -> client.listQueues()).isInstanceOfSatisfying(SqsException.class, e -> {
                assertThat(e.statusCode()).isEqualTo(502);
                assertThat(e.awsErrorDetails().errorCode()).isEqualTo("InternalError");
            });
            assertThat(orphan.stats()).isEqualTo(new Stats(1, 0, 0, 0, Map.of("t ListQueues", 1L)));
        }
    }

    @Test
    void faultsOutsideTheirRangeAreRefused() {
        assertThatThrownBy(() -> new Faults(Duration.ofMillis(-1), 0, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Faults(null, 0, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Faults(Duration.ZERO, 1.5, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Faults(Duration.ZERO, 0, -0.1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Faults(Duration.ZERO, Double.NaN, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> proxy.set(null)).isInstanceOf(IllegalArgumentException.class);
        assertThat(proxy.faults()).isEqualTo(Faults.NONE);
    }

    private static HttpResponse<String> postForm(String url, String form) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create(url))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form)).build();
        return HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
    }

    private static int depth(String url) {
        return Integer.parseInt(sqs.getQueueAttributes(b -> b.queueUrl(url)
                .attributeNamesWithStrings("ApproximateNumberOfMessages")).attributesAsStrings()
                .get("ApproximateNumberOfMessages"));
    }

    private static Stats delta(Stats before) {
        Stats now = proxy.stats();
        return new Stats(now.requests() - before.requests(), now.delayed() - before.delayed(),
                now.errors() - before.errors(), now.resets() - before.resets());
    }
}
