package io.coscale.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.coscale.TestClock;
import io.coscale.api.problem.ApiException;
import io.coscale.aws.DynamoDbTable;
import io.coscale.idempotency.DynamoDbIdempotencyStore;
import io.coscale.idempotency.IdempotencyKey;
import io.coscale.idempotency.IdempotencyRecord;
import io.coscale.idempotency.MemoryIdempotencyStore;
import io.coscale.local.LocalCloud;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * The keyed submission flow over the in-memory store, with sends that the test answers: what is sent, with which
 * job ids, and what a repeat gets in each state the first request can leave the key in.
 */
class IdempotentSubmissionsTest {

    static final Duration TTL = Duration.ofHours(24);
    static final Duration CLAIM = Duration.ofSeconds(30);
    static final IdempotencyKey KEY = new IdempotencyKey("demo", "k-1");

    final TestClock clock = TestClock.at("2026-12-02T08:00:00Z");
    final MemoryIdempotencyStore store = new MemoryIdempotencyStore(100);
    final IdempotentSubmissions submissions = new IdempotentSubmissions(store, TTL, CLAIM, clock);

    /**
     * A send the test answers: each call is recorded with the job ids it was given, and answered by the test, or at
     * once with {@code autoAnswer} ({@code $id} replaced with the first job id) when one is set.
     */
    static final class Sends implements Function<List<String>, CompletionStage<String>> {
        final List<List<String>> jobIds = new ArrayList<>();
        final List<CompletableFuture<String>> answers = new ArrayList<>();
        String autoAnswer;

        @Override
        public synchronized CompletionStage<String> apply(List<String> ids) {
            jobIds.add(ids);
            CompletableFuture<String> answer = new CompletableFuture<>();
            answers.add(answer);
            if (autoAnswer != null) {
                answer.complete(autoAnswer.replace("$id", ids.get(0)));
            }
            return answer;
        }

        Sends answering(String body) {
            autoAnswer = body;
            return this;
        }
    }

    CompletableFuture<IdempotentSubmissions.Answer> submit(String fingerprint, String jobId, Sends sends) {
        return submissions.submit(KEY, fingerprint, List.of(jobId), sends);
    }

    /** The problem {@code future} failed with; a future that never completes fails the test instead of hanging it. */
    static ApiException failure(CompletableFuture<?> future) {
        Throwable thrown = org.assertj.core.api.Assertions.catchThrowable(() -> future.orTimeout(10, TimeUnit.SECONDS).join());
        assertThat(thrown).isInstanceOf(CompletionException.class).hasCauseInstanceOf(ApiException.class);
        return (ApiException) thrown.getCause();
    }

    @Test
    void aRepeatGetsTheFirstAnswerAndSendsNothing() {
        Sends sends = new Sends().answering("{\"jobId\":\"$id\"}");
        IdempotentSubmissions.Answer first = submit("fp", "job-1", sends).join();
        IdempotentSubmissions.Answer repeat = submit("fp", "job-2", sends).join();

        assertThat(first).isEqualTo(new IdempotentSubmissions.Answer("{\"jobId\":\"job-1\"}", false));
        assertThat(repeat).isEqualTo(new IdempotentSubmissions.Answer("{\"jobId\":\"job-1\"}", true));
        assertThat(sends.jobIds).containsExactly(List.of("job-1"));
        assertThat(repeat.toResponse().getHeaderString(IdempotentSubmissions.REPLAYED)).isEqualTo("true");
        assertThat(first.toResponse().getHeaderString(IdempotentSubmissions.REPLAYED)).isNull();
        assertThat(repeat.toResponse().getStatus()).isEqualTo(202);
    }

    @Test
    void anotherRequestUnderTheKeyIs422AndSendsNothing() {
        Sends sends = new Sends().answering("{}");
        submit("fp", "job-1", sends).join();
        ApiException e = failure(submit("other", "job-2", sends));
        assertThat(e.status()).isEqualTo(422);
        assertThat(e.slug()).isEqualTo("idempotency-key-reused");
        assertThat(sends.jobIds).hasSize(1);
    }

    @Test
    void aRepeatWhileTheFirstIsUnderWayIs409ThenReplayedOnceItIsAnswered() {
        Sends sends = new Sends();
        CompletableFuture<IdempotentSubmissions.Answer> first = submit("fp", "job-1", sends);
        ApiException e = failure(submit("fp", "job-2", sends));
        assertThat(e.status()).isEqualTo(409);
        assertThat(e.slug()).isEqualTo("idempotency-key-in-progress");
        assertThat(e.headers()).containsEntry("Retry-After", "1");

        sends.answers.get(0).complete("{\"jobId\":\"job-1\"}");
        assertThat(first.join().replayed()).isFalse();
        assertThat(submit("fp", "job-3", sends).join()).isEqualTo(new IdempotentSubmissions.Answer("{\"jobId\":\"job-1\"}", true));
        assertThat(sends.jobIds).containsExactly(List.of("job-1"));
    }

    @Test
    void aHolderWhoseClaimRanOutIsTakenOverAndTheJobSentAgainWithItsFirstId() {
        Sends sends = new Sends();
        submit("fp", "job-1", sends); // its replica dies: the send is never answered
        clock.advance(CLAIM);

        CompletableFuture<IdempotentSubmissions.Answer> repeat = submit("fp", "job-2", sends);
        assertThat(sends.jobIds).containsExactly(List.of("job-1"), List.of("job-1"));
        sends.answers.get(1).complete("{\"jobId\":\"job-1\"}");
        assertThat(repeat.join().replayed()).isFalse();

        // The first holder answering late cannot overwrite the taker's record.
        sends.answers.get(0).complete("{\"late\":true}");
        assertThat(submit("fp", "job-3", sends).join().body()).isEqualTo("{\"jobId\":\"job-1\"}");
    }

    @Test
    void anUnknownOutcomeKeepsTheJobIdsAndTheNextRepeatSendsAgainWithThem() {
        Sends sends = new Sends();
        CompletableFuture<IdempotentSubmissions.Answer> first = submit("fp", "job-1", sends);
        sends.answers.get(0).completeExceptionally(ApiException.outcomeUnknown("SQS failed while it had the job"));
        assertThat(failure(first).status()).isEqualTo(502);
        assertThat(store.find(KEY, clock.instant()).join()).map(IdempotencyRecord::state)
                .contains(IdempotencyRecord.State.RETRYABLE);

        CompletableFuture<IdempotentSubmissions.Answer> repeat = submit("fp", "job-2", sends);
        sends.answers.get(1).complete("{\"jobId\":\"job-1\"}");
        assertThat(repeat.join().replayed()).isFalse();
        assertThat(sends.jobIds).containsExactly(List.of("job-1"), List.of("job-1"));
        assertThat(store.find(KEY, clock.instant()).join()).map(IdempotencyRecord::state)
                .contains(IdempotencyRecord.State.DONE);
    }

    @Test
    void aDefiniteFailureFreesTheKeySoThatARepeatSendsAfresh() {
        for (ApiException definite : List.of(ApiException.unavailable("queue unreachable", Duration.ofSeconds(1)),
                ApiException.badRequest("SQS refused the job"), ApiException.notFound("no pool"),
                ApiException.payloadTooLarge("too large"))) {
            IdempotencyKey key = new IdempotencyKey("demo", "definite-" + definite.status());
            Sends sends = new Sends();
            CompletableFuture<IdempotentSubmissions.Answer> first = submissions.submit(key, "fp", List.of("job-1"), sends);
            sends.answers.get(0).completeExceptionally(definite);
            assertThat(failure(first)).isSameAs(definite);
            assertThat(store.find(key, clock.instant()).join()).isEmpty();

            CompletableFuture<IdempotentSubmissions.Answer> repeat = submissions.submit(key, "fp", List.of("job-2"), sends);
            sends.answers.get(1).complete("{}");
            assertThat(repeat.join().replayed()).isFalse();
            assertThat(sends.jobIds).containsExactly(List.of("job-1"), List.of("job-2"));
        }
    }

    @Test
    void aRepeatAfterTheTtlSendsAnew() {
        Sends sends = new Sends().answering("{\"jobId\":\"$id\"}");
        submit("fp", "job-1", sends).join();
        clock.advance(TTL);
        assertThat(submit("fp", "job-2", sends).join()).isEqualTo(new IdempotentSubmissions.Answer("{\"jobId\":\"job-2\"}", false));
        assertThat(sends.jobIds).containsExactly(List.of("job-1"), List.of("job-2"));
    }

    @Test
    void aStoreThatCannotBeAskedIs503AndNothingIsSent() {
        var settings = new DynamoDbTable("coscale-lease",
                Optional.of(URI.create("http://127.0.0.1:" + LocalCloud.freePort())), Optional.of("us-east-1"), true,
                Duration.ofSeconds(2));
        try (DynamoDbIdempotencyStore down = DynamoDbIdempotencyStore.open(settings)) {
            Sends sends = new Sends().answering("{}");
            ApiException e = failure(new IdempotentSubmissions(down, TTL, CLAIM, clock).submit(KEY, "fp", List.of("job-1"), sends));
            assertThat(e.status()).isEqualTo(503);
            assertThat(e.headers()).containsKey("Retry-After");
            assertThat(e.detail()).contains("nothing was enqueued");
            assertThat(sends.jobIds).isEmpty();
        }
    }
}
