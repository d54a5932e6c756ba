package io.coscale.api;

import static io.coscale.api.Api.json;
import static io.coscale.api.Api.problem;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;

import io.coscale.local.LocalCloudTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.ExtractableResponse;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * {@code Idempotency-Key} on {@code POST /v1/pools/{pool}/jobs} and {@code jobs:batch}, against the local cloud:
 * what a repeat answers, and what the queue holds afterwards, counted by receiving everything on it.
 */
@QuarkusTest
@QuarkusTestResource(LocalCloudTestResource.class)
@TestProfile(ApiTestProfile.class)
class IdempotencyKeyTest {

    static final String JOBS = "/v1/pools/idle/jobs";
    static final String BATCH = "/v1/pools/idle/jobs:batch";

    @Inject
    SqsClient sqs;

    String idle;
    String key;

    @BeforeEach
    void emptyQueuesAndAFreshKey() {
        idle = Api.queue(sqs, "idle");
        sqs.purgeQueue(b -> b.queueUrl(idle));
        key = "key-" + UUID.randomUUID();
    }

    static ExtractableResponse<Response> post(String path, String key, String body) {
        return json(body).header("Idempotency-Key", key).post(path).then().extract();
    }

    /** Everything on the queue, received and deleted: what it held, by coscale-job-id; fails if fewer than {@code count}. */
    Map<String, Message> drain(String queueUrl, int count) {
        Map<String, Message> taken = Api.takeAll(sqs, queueUrl, count, Duration.ofSeconds(10));
        taken.putAll(Api.receiveNow(sqs, queueUrl));
        assertThat(Api.messages(sqs, queueUrl)).isZero();
        return taken;
    }

    @Test
    void aRepeatGetsTheSameJobIdAndTheQueueHoldsOneMessage() {
        ExtractableResponse<Response> first = post(JOBS, key, "{\"payload\": {\"n\": 1}}");
        ExtractableResponse<Response> repeat = post(JOBS, key, "{\"payload\": {\"n\": 1}}");

        assertThat(first.statusCode()).isEqualTo(202);
        assertThat(first.header(IdempotentSubmissions.REPLAYED)).isNull();
        assertThat(repeat.statusCode()).isEqualTo(202);
        assertThat(repeat.header(IdempotentSubmissions.REPLAYED)).isEqualTo("true");
        assertThat(repeat.contentType()).startsWith("application/json");
        assertThat(repeat.asString()).isEqualTo(first.asString());
        String jobId = first.path("jobId");
        assertThat(first.<String>path("pool")).isEqualTo("idle");

        Map<String, Message> held = drain(idle, 1);
        assertThat(held).containsOnlyKeys(jobId);
        assertThat(held.get(jobId).body()).isEqualTo("{\"n\":1}");
    }

    @Test
    void withoutAKeyARepeatIsASecondJob() {
        json("{\"payload\": 1}").post(JOBS).then().statusCode(202).header(IdempotentSubmissions.REPLAYED, nullValue());
        json("{\"payload\": 1}").post(JOBS).then().statusCode(202).header(IdempotentSubmissions.REPLAYED, nullValue());
        assertThat(drain(idle, 2)).hasSize(2);
    }

    @Test
    void aBatchRepeatGetsTheSameJobIdsAndEnqueuesNothingMore() {
        String body = "{\"jobs\": [{\"payload\": \"a\"}, {\"delaySeconds\": 1}, {\"payload\": \"c\"}]}";
        ExtractableResponse<Response> first = post(BATCH, key, body);
        ExtractableResponse<Response> repeat = post(BATCH, key, body);

        assertThat(first.statusCode()).isEqualTo(202);
        assertThat(repeat.statusCode()).isEqualTo(202);
        assertThat(repeat.header(IdempotentSubmissions.REPLAYED)).isEqualTo("true");
        List<String> jobIds = first.path("jobIds");
        assertThat(repeat.<List<String>>path("jobIds")).isEqualTo(jobIds);
        assertThat(first.<List<Integer>>path("failed.index")).containsExactly(1);

        assertThat(drain(idle, 2)).containsOnlyKeys(jobIds.get(0), jobIds.get(2));
    }

    @Test
    void aDifferentRequestUnderTheKeyIs422AndNothingIsEnqueued() {
        String jobId = post(JOBS, key, "{\"payload\": 1}").path("jobId");

        problem(json("{\"payload\": 2}").header("Idempotency-Key", key).post(JOBS).then(), 422)
                .body("type", equalTo("https://coscale.io/problems/idempotency-key-reused"))
                .body("detail", containsString("different request"));
        problem(json("{\"jobs\": [{\"payload\": 1}]}").header("Idempotency-Key", key).post(BATCH).then(), 422);

        assertThat(drain(idle, 1)).containsOnlyKeys(jobId);
    }

    @Test
    void aRepeatAfterA503IsEnqueuedOnce() {
        String late = "http://127.0.0.1:" + sqsPort() + "/000000000000/late";
        problem(json("{\"payload\": 1}").header("Idempotency-Key", key).post("/v1/pools/late/jobs").then(), 503)
                .header("Retry-After", equalTo("1"));

        String queueUrl = Api.queue(sqs, "late");
        assertThat(queueUrl).isEqualTo(late);
        try {
            ExtractableResponse<Response> retry = post("/v1/pools/late/jobs", key, "{\"payload\": 1}");
            assertThat(retry.statusCode()).isEqualTo(202);
            assertThat(retry.header(IdempotentSubmissions.REPLAYED)).isNull();
            ExtractableResponse<Response> again = post("/v1/pools/late/jobs", key, "{\"payload\": 1}");
            assertThat(again.header(IdempotentSubmissions.REPLAYED)).isEqualTo("true");
            assertThat(again.<String>path("jobId")).isEqualTo(retry.path("jobId"));

            assertThat(drain(queueUrl, 1)).containsOnlyKeys(retry.<String>path("jobId"));
        } finally {
            sqs.deleteQueue(b -> b.queueUrl(queueUrl));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "two words", "caf\u00e9", "\"\""})
    void anInvalidKeyIs400AndNothingIsEnqueued(String invalid) {
        problem(json("{\"payload\": 1}").header("Idempotency-Key", invalid).post(JOBS).then(), 400)
                .body("detail", containsString("Idempotency-Key"));
        problem(json("{\"jobs\": [{\"payload\": 1}]}").header("Idempotency-Key", invalid).post(BATCH).then(), 400);
        assertThat(Api.messages(sqs, idle)).isZero();
    }

    @Test
    void aKeyOver255CharactersIs400() {
        problem(json("{\"payload\": 1}").header("Idempotency-Key", "k".repeat(256)).post(JOBS).then(), 400);
        post(JOBS, "k".repeat(255), "{\"payload\": 1}").response().then().statusCode(202);
        assertThat(drain(idle, 1)).hasSize(1);
    }

    @Test
    void theSameKeyInAnotherPoolIsIndependent() {
        String other = Api.queue(sqs, "other");
        sqs.purgeQueue(b -> b.queueUrl(other));
        ExtractableResponse<Response> inIdle = post(JOBS, key, "{\"payload\": 1}");
        ExtractableResponse<Response> inOther = post("/v1/pools/other/jobs", key, "{\"payload\": 1}");

        assertThat(inOther.statusCode()).isEqualTo(202);
        assertThat(inOther.header(IdempotentSubmissions.REPLAYED)).isNull();
        assertThat(inOther.<String>path("jobId")).isNotEqualTo(inIdle.path("jobId"));
        assertThat(drain(idle, 1)).containsOnlyKeys(inIdle.<String>path("jobId"));
        assertThat(drain(other, 1)).containsOnlyKeys(inOther.<String>path("jobId"));
    }

    @Test
    void aQuotedKeyIsTheSameKey() {
        String jobId = post(JOBS, key, "{\"payload\": 1}").path("jobId");
        ExtractableResponse<Response> quoted = post(JOBS, "\"" + key + "\"", "{\"payload\": 1}");
        assertThat(quoted.header(IdempotentSubmissions.REPLAYED)).isEqualTo("true");
        assertThat(quoted.<String>path("jobId")).isEqualTo(jobId);
        assertThat(drain(idle, 1)).containsOnlyKeys(jobId);
    }

    @Test
    void ofConcurrentRepeatsOneEnqueuesAndTheOthersReplayOrAreToldToWait() throws Exception {
        int racers = 8;
        ExecutorService threads = Executors.newFixedThreadPool(racers);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<ExtractableResponse<Response>>> futures = new ArrayList<>();
            for (int i = 0; i < racers; i++) {
                Callable<ExtractableResponse<Response>> racer = () -> {
                    start.await();
                    return post(JOBS, key, "{\"payload\": \"once\"}");
                };
                futures.add(threads.submit(racer));
            }
            start.countDown();
            List<String> jobIds = new ArrayList<>();
            int fresh = 0;
            for (Future<ExtractableResponse<Response>> f : futures) {
                ExtractableResponse<Response> r = f.get();
                if (r.statusCode() == 409) {
                    assertThat(r.header("Retry-After")).isEqualTo("1");
                    assertThat(r.<String>path("type")).endsWith("/idempotency-key-in-progress");
                    continue;
                }
                assertThat(r.statusCode()).isEqualTo(202);
                jobIds.add(r.path("jobId"));
                fresh += r.header(IdempotentSubmissions.REPLAYED) == null ? 1 : 0;
            }
            assertThat(fresh).isEqualTo(1);
            assertThat(jobIds).containsOnly(jobIds.get(0));
            assertThat(drain(idle, 1)).containsOnlyKeys(jobIds.get(0));
        } finally {
            threads.shutdownNow();
        }
    }

    @Test
    void aFifoJobGetsADeduplicationIdFromTheKeyUnlessItBringsOne() {
        String ordered = sqs.createQueue(b -> b.queueName("ordered.fifo").attributes(Map.of(
                QueueAttributeName.FIFO_QUEUE, "true"))).queueUrl();
        String first = post("/v1/pools/ordered/jobs", key, "{\"payload\": 1}").path("jobId");
        String own = post("/v1/pools/ordered/jobs", key + "-own", "{\"payload\": 2, \"deduplicationId\": \"mine\"}")
                .path("jobId");

        Map<String, String> deduplicationIds = new java.util.HashMap<>();
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> {
            sqs.receiveMessage(b -> b.queueUrl(ordered).maxNumberOfMessages(10).messageAttributeNames("All")
                    .messageSystemAttributeNames(MessageSystemAttributeName.MESSAGE_DEDUPLICATION_ID)).messages()
                    .forEach(m -> {
                        deduplicationIds.put(m.messageAttributes().get("coscale-job-id").stringValue(),
                                m.attributes().get(MessageSystemAttributeName.MESSAGE_DEDUPLICATION_ID));
                        sqs.deleteMessage(d -> d.queueUrl(ordered).receiptHandle(m.receiptHandle()));
                    });
            return deduplicationIds.size() == 2;
        });
        assertThat(deduplicationIds.get(first)).isEqualTo(RequestFingerprint.deduplicationId("ordered", key, 0));
        assertThat(deduplicationIds.get(own)).isEqualTo("mine");
    }

    static String sqsPort() {
        return org.eclipse.microprofile.config.ConfigProvider.getConfig().getValue("coscale.local.sqs-port", String.class);
    }
}
