package io.coscale.api;

import static io.coscale.api.Api.json;
import static io.coscale.api.Api.problem;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.coscale.local.LocalCloud;
import io.coscale.local.LocalCloudTestResource;
import io.coscale.local.sqs.SqsFaultProxy;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.ExtractableResponse;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;

/**
 * A keyed submission whose SQS call was cut after SQS took the job (502, outcome unknown), through the local cloud's
 * SQS fault proxy: what the documented rule gives, honestly — the repeat sends again with the same job id, so the
 * queue may hold the job more than once, every copy with the same {@code coscale-job-id}; after that 202 the key is
 * answered and nothing more is sent.
 */
@QuarkusTest
@QuarkusTestResource(LocalCloudTestResource.class)
@TestProfile(ApiTestProfile.class)
class IdempotencyOutcomeUnknownTest {

    @Inject
    SqsClient sqs;

    @Inject
    LocalCloud cloud;

    @AfterEach
    void faithfulProxy() {
        proxy().set(SqsFaultProxy.Faults.NONE);
    }

    SqsFaultProxy proxy() {
        return cloud.sqsProxy().orElseThrow();
    }

    static ExtractableResponse<Response> post(String key) {
        return json("{\"payload\": \"maybe\"}").header("Idempotency-Key", key).post("/v1/pools/idle/jobs").then().extract();
    }

    @Test
    void aRepeatAfterA502SendsAgainWithTheSameJobIdAndThenIsAnswered() {
        String idle = Api.queue(sqs, "idle");
        sqs.purgeQueue(b -> b.queueUrl(idle));

        proxy().set(new SqsFaultProxy.Faults(Duration.ZERO, 0, 1));
        problem(json("{\"payload\": \"maybe\"}").header("Idempotency-Key", "cut").post("/v1/pools/idle/jobs").then(), 502);
        proxy().set(SqsFaultProxy.Faults.NONE);
        long afterCut = Api.messages(sqs, idle);
        assertThat(afterCut).as("SQS took the job before the connection was cut").isGreaterThanOrEqualTo(1);

        ExtractableResponse<Response> repeat = post("cut");
        assertThat(repeat.statusCode()).isEqualTo(202);
        assertThat(repeat.header(IdempotentSubmissions.REPLAYED)).isNull();
        String jobId = repeat.path("jobId");
        ExtractableResponse<Response> again = post("cut");
        assertThat(again.header(IdempotentSubmissions.REPLAYED)).isEqualTo("true");
        assertThat(again.<String>path("jobId")).isEqualTo(jobId);

        List<String> jobIds = drain(idle, afterCut + 1);
        assertThat(jobIds).hasSize((int) afterCut + 1).containsOnly(jobId);
    }

    /** Receives and deletes every message on the queue (at least {@code count}); their coscale-job-ids. */
    List<String> drain(String queueUrl, long count) {
        List<String> jobIds = new ArrayList<>();
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100)).until(() -> {
            List<Message> got = sqs.receiveMessage(b -> b.queueUrl(queueUrl).maxNumberOfMessages(10)
                    .messageAttributeNames("All").waitTimeSeconds(0)).messages();
            got.forEach(m -> {
                jobIds.add(m.messageAttributes().get("coscale-job-id").stringValue());
                sqs.deleteMessage(d -> d.queueUrl(queueUrl).receiptHandle(m.receiptHandle()));
            });
            return jobIds.size() >= count;
        });
        assertThat(Api.messages(sqs, queueUrl)).isZero();
        return jobIds;
    }
}
