package io.coscale.api;

import static io.coscale.api.Api.json;
import static io.coscale.api.Api.problem;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;

import io.coscale.local.LocalCloudTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.ValidatableResponse;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;

/**
 * {@code POST /v1/pools/{pool}/jobs}: what reaches SQS on 202, and every refusal, after which nothing was
 * enqueued. Submissions go to the {@code idle} pool, whose queue nobody consumes, so counts are exact.
 */
@QuarkusTest
@QuarkusTestResource(LocalCloudTestResource.class)
@TestProfile(ApiTestProfile.class)
class JobsResourceTest {

    static final String JOBS = "/v1/pools/idle/jobs";
    static final String BATCH = "/v1/pools/idle/jobs:batch";
    static final int LIMIT = 256 * 1024;

    @Inject
    SqsClient sqs;

    String queueUrl;

    @BeforeEach
    void emptyIdleQueue() {
        queueUrl = Api.queue(sqs, "idle");
        sqs.purgeQueue(b -> b.queueUrl(queueUrl));
    }

    @Test
    void aJobIsAcceptedOnlyOnceItIsOnTheQueueWithItsAttributes() {
        String jobId = json("{\"payload\": \"plain text\", \"attributes\": {\"tenant\": \"acme\", \"trace.id\": \"t-1\"}}")
                .post(JOBS).then().statusCode(202)
                .body("pool", equalTo("idle")).body("desiredCount", greaterThanOrEqualTo(0))
                .extract().path("jobId");

        Message message = Api.take(sqs, queueUrl, jobId, Duration.ofSeconds(5));
        assertThat(message.body()).isEqualTo("plain text");
        assertThat(message.messageAttributes()).containsOnlyKeys("tenant", "trace.id", "coscale-job-id");
        assertThat(message.messageAttributes().get("tenant").stringValue()).isEqualTo("acme");
        assertThat(message.messageAttributes().get("tenant").dataType()).isEqualTo("String");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "{\"seconds\": 5, \"tags\": [\"a\"]}  | {\"seconds\":5,\"tags\":[\"a\"]}",
        "42                                   | 42",
        "[1, \"two\", null]                   | [1,\"two\",null]",
        "\"{\\\"looks\\\": \\\"like json\\\"}\" | {\"looks\": \"like json\"}",
        "true                                 | true"})
    void theMessageBodyIsThePayloadItself(String payload, String body) {
        String jobId = json("{\"payload\": " + payload + "}").post(JOBS).then().statusCode(202).extract().path("jobId");
        assertThat(Api.take(sqs, queueUrl, jobId, Duration.ofSeconds(5)).body()).isEqualTo(body);
    }

    @Test
    void delaySecondsHoldsTheMessageBack() {
        String jobId = json("{\"payload\": 1, \"delaySeconds\": 2}").post(JOBS).then().statusCode(202).extract().path("jobId");

        assertThat(Api.receiveNow(sqs, queueUrl)).isEmpty();
        assertThat(Api.messages(sqs, queueUrl)).isEqualTo(1);
        long sent = System.nanoTime();
        Api.take(sqs, queueUrl, jobId, Duration.ofSeconds(10));
        assertThat(Duration.ofNanos(System.nanoTime() - sent)).isGreaterThan(Duration.ofMillis(1000));
    }

    @Test
    void unknownFieldsAreTolerated() {
        json("{\"payload\": 1, \"priority\": \"high\", \"nested\": {\"x\": [1]}}").post(JOBS).then().statusCode(202)
                .body("jobId", notNullValue());
        assertThat(Api.messages(sqs, queueUrl)).isEqualTo(1);
    }

    static Stream<Arguments> badJobs() {
        String tenAttributes = IntStream.range(0, 10).mapToObj(i -> "\"a" + i + "\": \"v\"").collect(Collectors.joining(","));
        return Stream.of(
                Arguments.of("[{\"payload\": 1}]", "JSON object"),
                Arguments.of("\"payload\"", "JSON object"),
                Arguments.of("{}", "\"payload\" is required"),
                Arguments.of("{\"payload\": \"\"}", "empty"),
                Arguments.of("{\"payload\": 1, \"delaySeconds\": 901}", "delaySeconds"),
                Arguments.of("{\"payload\": 1, \"delaySeconds\": -1}", "delaySeconds"),
                Arguments.of("{\"payload\": 1, \"delaySeconds\": 1.5}", "delaySeconds"),
                // 2^64 + 5: read as a long it wraps to 5 (issue 21)
                Arguments.of("{\"payload\": 1, \"delaySeconds\": 18446744073709551621}", "delaySeconds"),
                Arguments.of("{\"payload\": 1, \"delaySeconds\": \"5\"}", "delaySeconds"),
                Arguments.of("{\"payload\": 1, \"attributes\": [\"a\"]}", "\"attributes\" must be an object"),
                Arguments.of("{\"payload\": 1, \"attributes\": {\"a\": 1}}", "attribute \"a\""),
                Arguments.of("{\"payload\": 1, \"attributes\": {\"a\": {\"b\": \"c\"}}}", "attribute \"a\""),
                Arguments.of("{\"payload\": 1, \"attributes\": {" + tenAttributes + "}}", "at most 9"),
                Arguments.of("{\"payload\": 1, \"attributes\": {\"coscale-job-id\": \"mine\"}}", "reserved"),
                Arguments.of("{\"payload\": 1, \"attributes\": {\"bad name!\": \"x\"}}", "\"bad name!\" is not valid"),
                Arguments.of("{\"payload\": 1, \"attributes\": {\"AWS.trace\": \"x\"}}", "\"AWS.trace\" is not valid"),
                Arguments.of("{\"payload\": 1, \"deduplicationId\": \"d-1\"}", "FIFO"),
                Arguments.of("{\"payload\": 1, \"deduplicationId\": 7}", "deduplicationId"),
                Arguments.of("{\"payload\": 1, \"messageGroupId\": \"g-1\"}", "\"messageGroupId\" needs a FIFO queue"),
                Arguments.of("{\"payload\": 1, \"messageGroupId\": \"\"}", "messageGroupId"),
                Arguments.of("{\"payload\": ", "Malformed JSON"),
                Arguments.of("{\"payload\": 1,}", "Malformed JSON"));
    }

    @ParameterizedTest
    @MethodSource("badJobs")
    void aBadJobIs400NamingWhatIsWrongAndNothingIsEnqueued(String body, String detail) {
        problem(json(body).post(JOBS).then(), 400).body("detail", containsString(detail));
        assertThat(Api.messages(sqs, queueUrl)).isZero();
    }

    @Test
    void aNullPayloadIs422AndChangesNothingAlsoInABatchAndForItsIdempotencyKey() {
        String key = UUID.randomUUID().toString();
        problem(json("{\"payload\": null}").header("Idempotency-Key", key).post(JOBS).then(), 422)
                .body("type", equalTo("https://coscale.io/problems/null-payload"))
                .body("detail", containsString("\"payload\" must not be null"));
        problem(json("{\"jobs\": [{\"payload\": 1}, {\"payload\": null}]}").post(BATCH).then(), 422)
                .body("type", equalTo("https://coscale.io/problems/null-payload"))
                .body("detail", containsString("jobs[1]"));
        assertThat(Api.messages(sqs, queueUrl)).isZero();
        // The refused request left its key unused: the same key with a real payload is a first submission.
        json("{\"payload\": 1}").header("Idempotency-Key", key).post(JOBS).then().statusCode(202)
                .header("Idempotent-Replayed", nullValue());
        assertThat(Api.messages(sqs, queueUrl)).isEqualTo(1);
    }

    @Test
    void anEmptyBodyIs400() {
        problem(json("").post(JOBS).then(), 400);
        assertThat(Api.messages(sqs, queueUrl)).isZero();
    }

    @Test
    void aPayloadAtTheLimitIsAcceptedAndOneByteOverIs413() {
        problem(json("{\"payload\": \"" + "x".repeat(LIMIT + 1) + "\"}").post(JOBS).then(), 413)
                .body("detail", containsString(Integer.toString(LIMIT)));
        problem(json("{\"payload\": \"" + "é".repeat(LIMIT / 2) + "x\"}").post(JOBS).then(), 413);
        assertThat(Api.messages(sqs, queueUrl)).isZero();

        json("{\"payload\": \"" + "x".repeat(LIMIT) + "\"}").post(JOBS).then().statusCode(202);
        assertThat(Api.messages(sqs, queueUrl)).isEqualTo(1);
    }

    @Test
    void aBodyThatIsNotJsonIs415() {
        for (String type : new String[] {"text/plain", "application/xml"}) {
            ValidatableResponse response = given().contentType(type).body("{\"payload\": 1}")
                    .post(JOBS).then();
            problem(response, 415).body("detail", containsString("application/json"));
        }
        assertThat(Api.messages(sqs, queueUrl)).isZero();
    }

    @Test
    void anUnknownPoolIs404() {
        problem(json("{\"payload\": 1}").post("/v1/pools/nope/jobs").then(), 404).body("detail", containsString("'nope'"));
        problem(json("{\"jobs\": [{\"payload\": 1}]}").post("/v1/pools/nope/jobs:batch").then(), 404)
                .body("detail", containsString("'nope'"));
    }

    @Test
    void aQueueSqsDoesNotKnowIs503WithRetryAfter() {
        problem(json("{\"payload\": 1}").post("/v1/pools/gone/jobs").then(), 503)
                .header("Retry-After", notNullValue()).body("detail", containsString("not enqueued"));
    }

    @Test
    void aBatchEnqueuesTheValidJobsAndListsEveryFailedOneByIndex() {
        String body = "{\"jobs\": [{\"payload\": \"first\"}, {\"delaySeconds\": 1}, {\"payload\": {\"n\": 3}},"
                + " {\"payload\": \"" + "x".repeat(LIMIT + 1) + "\"}, {\"payload\": 5, \"delaySeconds\": 901}, 7]}";
        ValidatableResponse response = json(body).post(BATCH).then().statusCode(202)
                .body("jobIds.size()", equalTo(6)).body("desiredCount", greaterThanOrEqualTo(0))
                .body("failed.index", contains(1, 3, 4, 5))
                .body("failed.code", contains("InvalidJob", "PayloadTooLarge", "InvalidJob", "InvalidJob"))
                .body("failed[0].message", containsString("\"payload\" is required"))
                .body("failed[1].message", containsString(Integer.toString(LIMIT)))
                .body("failed[2].message", containsString("delaySeconds"))
                .body("failed[3].message", containsString("JSON object"));
        List<String> jobIds = response.extract().path("jobIds");
        assertThat(jobIds).hasSize(6);
        assertThat(jobIds.get(1)).isNull();
        assertThat(jobIds.subList(3, 6)).containsOnlyNulls();

        Map<String, Message> enqueued = Api.takeAll(sqs, queueUrl, 2, Duration.ofSeconds(5));
        assertThat(enqueued).containsOnlyKeys(jobIds.get(0), jobIds.get(2));
        assertThat(enqueued.get(jobIds.get(0)).body()).isEqualTo("first");
        assertThat(enqueued.get(jobIds.get(2)).body()).isEqualTo("{\"n\":3}");
    }

    @Test
    void aFullBatchOfAHundredIsEnqueuedInOrder() {
        String jobs = IntStream.range(0, 100).mapToObj(i -> "{\"payload\": " + i + "}").collect(Collectors.joining(","));
        List<String> jobIds = json("{\"jobs\": [" + jobs + "]}").post(BATCH).then().statusCode(202)
                .body("failed", empty()).extract().path("jobIds");
        assertThat(jobIds).hasSize(100).doesNotContainNull().doesNotHaveDuplicates();
        Map<String, Message> enqueued = Api.takeAll(sqs, queueUrl, 100, Duration.ofSeconds(30)); // 10 receives; slow on a busy machine
        assertThat(enqueued).containsOnlyKeys(jobIds);
        for (int i = 0; i < 100; i++) {
            assertThat(enqueued.get(jobIds.get(i)).body()).isEqualTo(Integer.toString(i));
        }
    }

    @Test
    void tenJobsOf100KiBInOneBatchAreAllEnqueued() {
        // One SendMessageBatch of them would be 1,000 KiB, which SQS refuses as a whole. ElasticMQ does not enforce
        // that limit, so this checks the jobs arrive whole and in order; QueueGatewayTest checks each request's size.
        String payload = "x".repeat(100 * 1024);
        String jobs = IntStream.range(0, 10).mapToObj(i -> "{\"payload\": \"" + i + payload + "\"}").collect(Collectors.joining(","));
        List<String> jobIds = json("{\"jobs\": [" + jobs + "]}").post(BATCH).then().statusCode(202)
                .body("failed", empty()).extract().path("jobIds");
        assertThat(jobIds).hasSize(10).doesNotContainNull();
        Map<String, Message> enqueued = Api.takeAll(sqs, queueUrl, 10, Duration.ofSeconds(10));
        assertThat(enqueued).containsOnlyKeys(jobIds);
        for (int i = 0; i < 10; i++) {
            assertThat(enqueued.get(jobIds.get(i)).body()).isEqualTo(i + payload);
        }
    }

    static Stream<Arguments> badBatches() {
        String many = IntStream.range(0, 101).mapToObj(i -> "{\"payload\": 1}").collect(Collectors.joining(","));
        return Stream.of(
                Arguments.of("{\"jobs\": []}", "1 to 100 jobs"),
                Arguments.of("{\"jobs\": [" + many + "]}", "1 to 100 jobs"),
                Arguments.of("{\"jobs\": {\"payload\": 1}}", "1 to 100 jobs"),
                Arguments.of("{\"payload\": 1}", "1 to 100 jobs"),
                Arguments.of("[{\"payload\": 1}]", "1 to 100 jobs"),
                Arguments.of("{\"jobs\": [", "Malformed JSON"));
    }

    @ParameterizedTest
    @MethodSource("badBatches")
    void aBadBatchIs400AndNothingIsEnqueued(String body, String detail) {
        problem(json(body).post(BATCH).then(), 400).body("detail", containsString(detail));
        assertThat(Api.messages(sqs, queueUrl)).isZero();
    }

    @Test
    void aBatchThatIsNotJsonIs415() {
        problem(given().urlEncodingEnabled(false).contentType("text/plain").body("{\"jobs\": []}").post(BATCH).then(), 415);
        assertThat(Api.messages(sqs, queueUrl)).isZero();
    }

    @Test
    void aBatchSqsRefusesEntirelyIs503WithRetryAfter() {
        problem(json("{\"jobs\": [{\"payload\": 1}, {\"payload\": 2}]}").post("/v1/pools/gone/jobs:batch").then(), 503)
                .header("Retry-After", notNullValue()).body("detail", containsString("nothing was enqueued"));
    }
}
