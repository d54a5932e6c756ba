package io.coscale.control;

import static org.assertj.core.api.Assertions.assertThat;

import io.coscale.aws.EcsGateway;
import io.coscale.aws.QueueGateway;
import io.coscale.domain.Mode;
import io.coscale.domain.OutgoingMessage;
import io.coscale.domain.Pool;
import io.coscale.domain.SendOutcome;
import io.coscale.domain.SubmissionVerdict;
import io.coscale.domain.SubmissionVerdict.FailedEntry;
import io.coscale.domain.SubmissionVerdict.Refusal;
import io.coscale.local.LocalCloudTestResource;
import io.coscale.local.ecs.EcsEmulatorFixture;
import io.coscale.local.sqs.EmbeddedSqs;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.URI;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * The intake's promise, end to end for one job and for a batch: what SQS accepted, and only that, is counted toward
 * the pool's scale-up; the answer is the verdict ({@link SubmissionVerdict}) with the count the pool heads for; a
 * submission the send queue has no room for is refused as a whole, unavailable, and counts nothing. Against the
 * embedded SQS and the ECS emulator; the refusals against a stand-in SQS that answers as the test says.
 */
class IntakeTest {

    private static final String SERVICE = "workers";

    private EcsEmulatorFixture ecs;
    private EmbeddedSqs sqsServer;
    private SqsClient sqs;
    private ControlContext ctx;
    private PoolController pool;

    @BeforeEach
    void setUp() {
        ecs = EcsEmulatorFixture.start(20, EcsEmulatorFixture.idleRunner());
        ecs.setUpCluster(1, Map.of());
        ecs.createService(SERVICE, 0);
        sqsServer = EmbeddedSqs.start(LocalCloudTestResource.freePort(), "us-east-1");
        sqs = SqsClient.builder().endpointOverride(URI.create(sqsServer.endpoint())).region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("t", "t")))
                .httpClient(UrlConnectionHttpClient.create()).build();
        String queueUrl = sqs.createQueue(b -> b.queueName("jobs")).queueUrl();
        ctx = TestContexts.standard(new EcsGateway(ecs.ecs), new QueueGateway(sqs), new ControlMetrics(new SimpleMeterRegistry()));
        pool = new PoolController(new Pool("p", EcsEmulatorFixture.CLUSTER, SERVICE, queueUrl, 0, 10, Mode.PROTECT, 1, 120,
                Duration.ofSeconds(60)), ctx);
    }

    @AfterEach
    void tearDown() {
        ctx.threads().shutdown();
        sqs.close();
        sqsServer.close();
        ecs.close();
    }

    @Test
    void aJobSqsAcceptedIsOnTheQueueCountedAndAnsweredWithItsId() {
        Intake intake = new Intake(ctx, ctx.queueGateway(), ctx.metrics());

        Submitted submitted = answer(intake.submit(pool, job("a")));

        assertThat(submitted).isEqualTo(new Submitted(Optional.empty(), List.of("a"), List.of(), 1));
        assertThat(pool.submissionMark()).isEqualTo(1);
        assertThat(sqs.receiveMessage(b -> b.queueUrl(pool.pool().queueUrl()).messageAttributeNames("All")).messages())
                .singleElement().satisfies(m -> assertThat(m.messageAttributes().get(OutgoingMessage.JOB_ID_ATTRIBUTE)
                        .stringValue()).isEqualTo("a"));
    }

    @Test
    void aJobSqsRefusedIsAnsweredWithTheVerdictAndNotCounted() {
        Intake intake = new Intake(new QueueSender((url, messages) -> CompletableFuture.completedFuture(messages.stream()
                .map(m -> SendOutcome.refused(m.jobId(), false, "InvalidParameterValue", "no")).toList()),
                ctx.threads().timer()));

        Submitted submitted = answer(intake.submit(pool, job("a")));

        assertThat(submitted.refused()).contains(SubmissionVerdict.ofOne(SendOutcome.refused("a", false,
                "InvalidParameterValue", "no")));
        assertThat(submitted.refused().get().refusal()).isEqualTo(Refusal.INVALID);
        assertThat(pool.submissionMark()).isZero();
    }

    @Test
    void aBatchCountsWhatSqsAcceptedAndListsTheRest() {
        Intake intake = new Intake(new QueueSender((url, messages) -> CompletableFuture.completedFuture(messages.stream()
                .map(m -> m.jobId().equals("c") ? SendOutcome.refused("c", false, "InvalidParameterValue", "no")
                        : SendOutcome.accepted(m.jobId())).toList()), ctx.threads().timer()));
        FailedEntry invalid = new FailedEntry(1, "InvalidJob", "\"payload\" is required");

        Submitted submitted = answer(intake.submitBatch(pool, List.of(job("a"), job("c"), job("d")), 4, List.of(invalid),
                new int[] {0, 2, 3}));

        assertThat(submitted.refused()).isEmpty();
        assertThat(submitted.jobIds()).isEqualTo(Arrays.asList("a", null, null, "d"));
        assertThat(submitted.failed()).containsExactly(invalid, new FailedEntry(2, "InvalidParameterValue", "no"));
        assertThat(submitted.desiredCount()).isEqualTo(2);
        assertThat(pool.submissionMark()).isEqualTo(2);
    }

    @Test
    void aSubmissionTheSendQueueHasNoRoomForIsRefusedUnavailableAndCountsNothing() {
        Intake intake = new Intake(new QueueSender((url, messages) -> {
            throw new AssertionError("nothing is sent");
        }, ctx.threads().timer(), Duration.ofSeconds(30), 0));

        Submitted one = answer(intake.submit(pool, job("a")));
        Submitted batch = answer(intake.submitBatch(pool, List.of(job("b"), job("c")), 2, List.of(), new int[] {0, 1}));

        for (Submitted refused : List.of(one, batch)) {
            assertThat(refused.refused()).hasValueSatisfying(r -> {
                assertThat(r.refusal()).isEqualTo(Refusal.UNAVAILABLE);
                assertThat(r.detail()).contains("send queue is full");
            });
        }
        assertThat(pool.submissionMark()).isZero();
    }

    private static Submitted answer(CompletableFuture<Submitted> submission) {
        return submission.orTimeout(10, TimeUnit.SECONDS).join();
    }

    private static OutgoingMessage job(String id) {
        return new OutgoingMessage(id, "{}", Map.of(), 0, Optional.empty());
    }
}
