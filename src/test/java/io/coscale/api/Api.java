package io.coscale.api;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.emptyOrNullString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;

import io.coscale.api.problem.Problem;
import io.coscale.aws.EcsGateway;
import io.restassured.http.ContentType;
import io.restassured.response.ValidatableResponse;
import io.restassured.specification.RequestSpecification;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.ecs.model.DesiredStatus;
import software.amazon.awssdk.services.ecs.model.Task;
import software.amazon.awssdk.services.ecs.model.TaskField;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/** What the API tests share: JSON requests, the problem+json assertion, queue counts and the demo pool's tasks. */
final class Api {

    private Api() {
    }

    /** A JSON request; URL encoding off so that {@code jobs:batch} reaches the server unescaped. */
    static RequestSpecification json(String body) {
        return given().urlEncodingEnabled(false).contentType(ContentType.JSON).body(body);
    }

    /** Asserts an RFC 9457 problem with this status and a non-empty detail; returns it for more checks. */
    static ValidatableResponse problem(ValidatableResponse response, int status) {
        return response.statusCode(status)
                .contentType(Problem.MEDIA_TYPE)
                .body("status", equalTo(status))
                .body("type", not(emptyOrNullString()))
                .body("title", not(emptyOrNullString()))
                .body("detail", not(emptyOrNullString()));
    }

    /** Creates the queue if needed and returns its URL. */
    static String queue(SqsClient sqs, String name) {
        return sqs.createQueue(b -> b.queueName(name)).queueUrl();
    }

    /** Every message on the queue, whatever its state: visible, in flight or delayed. */
    static long messages(SqsClient sqs, String queueUrl) {
        var attributes = sqs.getQueueAttributes(b -> b.queueUrl(queueUrl).attributeNames(
                QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES,
                QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE,
                QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_DELAYED)).attributes();
        return attributes.values().stream().mapToLong(Long::parseLong).sum();
    }

    /** Receives (and deletes) the message coscale enqueued as {@code jobId}, waiting until it is visible. */
    static Message take(SqsClient sqs, String queueUrl, String jobId, Duration atMost) {
        return takeAll(sqs, queueUrl, 1, atMost).get(jobId);
    }

    /** Receives (and deletes) messages until {@code count} have come, by their {@code coscale-job-id}. */
    static Map<String, Message> takeAll(SqsClient sqs, String queueUrl, int count, Duration atMost) {
        Map<String, Message> taken = new HashMap<>();
        await().atMost(atMost).pollInterval(Duration.ofMillis(100)).until(() -> {
            taken.putAll(receiveNow(sqs, queueUrl));
            return taken.size() >= count;
        });
        return taken;
    }

    /** One receive of what is visible now, by {@code coscale-job-id}; deletes it all so later tests start empty. */
    static Map<String, Message> receiveNow(SqsClient sqs, String queueUrl) {
        List<Message> got = sqs.receiveMessage(b -> b.queueUrl(queueUrl).maxNumberOfMessages(10)
                .messageAttributeNames("All").waitTimeSeconds(0)).messages();
        got.forEach(m -> sqs.deleteMessage(b -> b.queueUrl(queueUrl).receiptHandle(m.receiptHandle())));
        Map<String, Message> byJobId = new HashMap<>();
        got.forEach(m -> byJobId.put(m.messageAttributes().get("coscale-job-id").stringValue(), m));
        return byJobId;
    }

    /**
     * A task of the demo service that ECS runs and coscale has not told to exit: submits a few-second job so that the
     * pool scales up, then waits for it. A task an earlier test released (its exit recorded) may still run until ECS
     * stops it, and a claim of it would rightly answer unprotected.
     */
    static String liveDemoTask(EcsClient ecs, int jobs) {
        for (int i = 0; i < jobs; i++) {
            json("{\"payload\": {\"seconds\": 3}}").post("/v1/pools/demo/jobs").then().statusCode(202);
        }
        return await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50))
                .until(() -> notExiting(ecs), arns -> !arns.isEmpty()).get(0);
    }

    private static List<String> notExiting(EcsClient ecs) {
        List<String> running = ecs.listTasks(b -> b.cluster("local").serviceName("demo")
                .desiredStatus(DesiredStatus.RUNNING)).taskArns();
        if (running.isEmpty()) {
            return running;
        }
        return ecs.describeTasks(b -> b.cluster("local").tasks(running).include(TaskField.TAGS)).tasks().stream()
                .filter(t -> t.tags().stream().noneMatch(tag -> tag.key().equals(EcsGateway.EXIT_TAG)))
                .map(Task::taskArn).toList();
    }
}
