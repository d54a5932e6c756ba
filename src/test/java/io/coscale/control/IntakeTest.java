package io.coscale.control;

import static org.assertj.core.api.Assertions.assertThat;

import io.coscale.aws.EcsGateway;
import io.coscale.domain.Mode;
import io.coscale.domain.OutgoingMessage;
import io.coscale.domain.Pool;
import io.coscale.domain.SendOutcome;
import io.coscale.domain.SubmissionVerdict;
import io.coscale.domain.SubmissionVerdict.FailedEntry;
import io.coscale.domain.SubmissionVerdict.Refusal;
import io.coscale.local.ecs.EcsEmulatorFixture;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The intake's promise, end to end for one job and for a batch: what SQS accepted, and only that, is counted toward
 * the pool's scale-up; the answer is the verdict ({@link SubmissionVerdict}) with the count the pool heads for; a
 * submission the send queue has no room for is refused as a whole, unavailable, and counts nothing. SQS is a stand-in
 * that answers each job as the test says; the pool's scale-up goes to the ECS emulator.
 */
class IntakeTest {

    private static final String SERVICE = "workers";

    private EcsEmulatorFixture ecs;
    private ControlContext ctx;
    private PoolController pool;

    @BeforeEach
    void setUp() {
        ecs = EcsEmulatorFixture.withService(SERVICE);
        ctx = TestContexts.standard(new EcsGateway(ecs.ecs), null, new ControlMetrics(new SimpleMeterRegistry()));
        pool = new PoolController(new Pool("p", EcsEmulatorFixture.CLUSTER, SERVICE, "http://sqs.local/000000000000/jobs",
                0, 10, Mode.PROTECT, 1, 120, Duration.ofSeconds(60)), ctx);
    }

    @AfterEach
    void tearDown() {
        ctx.threads().shutdown();
        ecs.close();
    }

    @Test
    void aJobSqsAcceptedIsCountedAndAnsweredWithItsIdAndItsScaleUpReachesEcs() {
        List<String> sent = new CopyOnWriteArrayList<>();
        Intake intake = new Intake(new QueueSender((url, messages) -> {
            messages.forEach(m -> sent.add(url + " " + m.jobId()));
            return CompletableFuture.completedFuture(messages.stream().map(m -> SendOutcome.accepted(m.jobId())).toList());
        }, ctx.threads().timer()));

        Submitted submitted = answer(intake.submit(pool, job("a")));

        assertThat(sent).containsExactly(pool.pool().queueUrl() + " a");
        assertThat(submitted).isEqualTo(new Submitted(Optional.empty(), List.of("a"), List.of(), 1));
        assertThat(pool.submissionMark()).isEqualTo(1);
        EcsEmulatorFixture.eventually().until(() -> ecs.service(SERVICE).desiredCount() == 1);
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
