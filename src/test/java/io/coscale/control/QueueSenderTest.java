package io.coscale.control;

import static org.assertj.core.api.Assertions.assertThat;

import io.coscale.domain.OutgoingMessage;
import io.coscale.domain.SendOutcome;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The sender's promise: a job is either sent and answered by SQS, or never handed to SQS (withdrawn, or refused
 * with {@link NotEnqueuedException}). SQS is a stand-in whose calls stay unanswered until the test answers them, so
 * the test chooses whether a job's turn comes before or after its wait ends; no thread waits on a send.
 */
class QueueSenderTest {

    private static final String QUEUE = "http://sqs.local/000000000000/jobs";
    private static final Duration LONG = Duration.ofSeconds(30);

    /** One SendMessageBatch the stand-in holds until {@link #accept()}. */
    private record Call(List<String> jobIds, CompletableFuture<List<SendOutcome>> answer) {
        void accept() {
            answer.complete(jobIds.stream().map(id -> new SendOutcome(id, true, false, null, null, false)).toList());
        }
    }

    private final List<Call> calls = new ArrayList<>();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();

    private synchronized CompletableFuture<List<SendOutcome>> call(String queueUrl, List<OutgoingMessage> messages) {
        Call call = new Call(messages.stream().map(OutgoingMessage::jobId).toList(), new CompletableFuture<>());
        calls.add(call);
        return call.answer();
    }

    private synchronized List<Call> calls() {
        return List.copyOf(calls);
    }

    @AfterEach
    void stopTimer() {
        timer.shutdownNow();
    }

    @Test
    void aLoneJobGoesOutAtOnce() {
        QueueSender sender = new QueueSender(this::call, timer, LONG, 100);
        CompletableFuture<List<SendOutcome>> answer = sender.send(QUEUE, List.of(job("a")));
        assertThat(calls()).extracting(Call::jobIds).containsExactly(List.of("a"));
        assertThat(answer).isNotDone();
        calls().get(0).accept();
        assertThat(answer.join()).singleElement().satisfies(o -> assertThat(o.accepted()).isTrue());
    }

    @Test
    void aJobWhoseTurnHasNotComeWhenTheWaitEndsIsWithdrawnAndNeverSent() {
        // FIFO: one call at a time, so the second job waits behind the first, which SQS never answers.
        QueueSender sender = new QueueSender(this::call, timer, Duration.ofMillis(50), 100);
        sender.send(QUEUE + ".fifo", List.of(job("first")));
        List<SendOutcome> late = sender.send(QUEUE + ".fifo", List.of(job("late"))).orTimeout(10, TimeUnit.SECONDS).join();

        assertThat(late).singleElement().satisfies(o -> {
            assertThat(o.neverSent()).isTrue();
            assertThat(o.maybeEnqueued()).isFalse();
            assertThat(o.message()).contains("withdrawn and not enqueued");
        });
        calls().get(0).accept(); // the first call ends after the late job was answered: it is not sent
        assertThat(calls()).extracting(Call::jobIds).containsExactly(List.of("first"));
        assertThat(sender.queued()).isZero();
    }

    @Test
    void aJobAlreadyInFlightWhenTheWaitEndsIsAnsweredBySqs() throws Exception {
        QueueSender sender = new QueueSender(this::call, timer, Duration.ofMillis(50), 100);
        sender.send(QUEUE + ".fifo", List.of(job("first")));
        CompletableFuture<List<SendOutcome>> answer = sender.send(QUEUE + ".fifo", List.of(job("slow")));
        calls().get(0).accept(); // "slow" goes out now, within its wait
        // The timer runs its tasks in time order: once this one has run, the withdrawal timer has too.
        timer.schedule(() -> null, 100, TimeUnit.MILLISECONDS).get(10, TimeUnit.SECONDS);
        assertThat(answer).isNotDone();
        calls().get(1).accept();
        assertThat(answer.join()).singleElement().satisfies(o -> assertThat(o.accepted()).isTrue());
    }

    @Test
    void aFullSendQueueRefusesAtOnceWithoutEnqueuing() {
        QueueSender sender = new QueueSender(this::call, timer, LONG, 2);
        sender.send(QUEUE + ".fifo", List.of(job("in flight")));
        CompletableFuture<List<SendOutcome>> waiting = sender.send(QUEUE + ".fifo", List.of(job("a"), job("b")));
        assertThat(sender.queued()).isEqualTo(2);

        CompletableFuture<List<SendOutcome>> refused = sender.send(QUEUE + ".fifo", List.of(job("c")));
        assertThat(refused).isCompletedExceptionally();
        assertThat(refused.handle((ok, e) -> e).join()).isInstanceOf(NotEnqueuedException.class)
                .hasMessageContaining("send queue is full");
        calls().get(0).accept();
        calls().get(1).accept();
        assertThat(waiting.join()).allMatch(SendOutcome::accepted);
        assertThat(calls()).flatExtracting(Call::jobIds).containsExactly("in flight", "a", "b");
        assertThat(sender.queued()).isZero();
    }

    @Test
    void jobsArrivingWhileACallIsInFlightShareTheNextCall() {
        QueueSender sender = new QueueSender(this::call, timer, LONG, 100);
        sender.send(QUEUE, List.of(job("first")));
        List<CompletableFuture<List<SendOutcome>>> answers = IntStream.range(0, 3)
                .mapToObj(i -> sender.send(QUEUE, List.of(job("j" + i)))).toList();
        assertThat(calls()).hasSize(1); // fewer than ten wait: they go when the call in flight ends
        calls().get(0).accept();
        assertThat(calls()).extracting(Call::jobIds).containsExactly(List.of("first"), List.of("j0", "j1", "j2"));
        calls().get(1).accept();
        answers.forEach(a -> assertThat(a.join()).allMatch(SendOutcome::accepted));
    }

    @Test
    void aFullBatchStartsAnotherCallUpToTheBoundInFlight() {
        QueueSender sender = new QueueSender(this::call, timer, LONG, 1000);
        sender.send(QUEUE, List.of(job("first")));
        int more = (QueueSender.MAX_IN_FLIGHT + 2) * 10;
        List<OutgoingMessage> many = IntStream.range(0, more).mapToObj(i -> job("m" + i)).toList();
        CompletableFuture<List<SendOutcome>> answer = sender.send(QUEUE, many);

        assertThat(calls()).hasSize(QueueSender.MAX_IN_FLIGHT);
        assertThat(calls().subList(1, QueueSender.MAX_IN_FLIGHT)).allSatisfy(c -> assertThat(c.jobIds()).hasSize(10));
        while (!answer.isDone()) {
            calls().stream().filter(c -> !c.answer().isDone()).findFirst().orElseThrow().accept();
        }
        assertThat(answer.join()).extracting(SendOutcome::jobId)
                .containsExactlyElementsOf(many.stream().map(OutgoingMessage::jobId).toList());
        assertThat(calls()).flatExtracting(Call::jobIds).hasSize(more + 1).doesNotHaveDuplicates();
    }

    @ParameterizedTest(name = "{0} in flight of {1}, {2} without waiting, {3} waiting, call ended {4}: {5}")
    @CsvSource({
            // in flight, bound, without waiting, waiting, a call just ended, starts a call
            "0, 16, 1, 0, false, false", // nothing waits
            "0, 16, 1, 1, false, true", // an idle queue: a lone job goes out at once
            "1, 16, 1, 3, false, false", // the embedded SQS: they wait for the call in flight
            "1, 16, 1, 9, false, false",
            "1, 16, 1, 10, false, true", // a full batch goes at once
            "1, 16, 1, 3, true, true", // a call ended: the next goes with whatever waits
            "1, 16, 8, 1, false, true", // AWS's SQS: a job starts its own call beside 7 others
            "7, 16, 8, 1, false, true",
            "8, 16, 8, 1, false, false", // beside 8, it waits for a call's end or a full batch
            "8, 16, 8, 10, false, true",
            "15, 16, 8, 10, false, true",
            "16, 16, 8, 10, false, false", // never beyond the bound, full batch or not
            "16, 16, 8, 3, true, false",
            "1, 1, 8, 10, false, false", // a FIFO queue: one call at a time
            "0, 1, 8, 1, false, true",
    })
    void anArrivingJobStartsACallBesideFewCallsOrWithAFullBatchAndAnEndedCallStartsTheNext(int inFlight,
            int maxInFlight, int withoutWaiting, int waiting, boolean callEnded, boolean starts) {
        assertThat(QueueSender.startsCall(inFlight, maxInFlight, withoutWaiting, waiting, callEnded)).isEqualTo(starts);
    }

    @ParameterizedTest(name = "shortest recent call {0} us: {1}")
    @CsvSource({
            "0, 1", // no call ended yet
            "300, 1", // the embedded SQS
            "1999, 1",
            "2000, 2",
            "5500, 5",
            "10000, 8", // AWS's SQS, about 10 ms
            "1000000, 8",
    })
    void callsStartedWithoutWaitingAreTheShortestRecentCallInMillisecondsUpToEight(long floorMicros, int calls) {
        assertThat(QueueSender.callsWithoutWaiting(TimeUnit.MICROSECONDS.toNanos(floorMicros))).isEqualTo(calls);
    }

    @ParameterizedTest(name = "floor {0} ns, call of {1} ns: {2}")
    @CsvSource({
            "0, 10000000, 10000000", // the first call sets it
            "10000000, 400000, 400000", // a shorter call lowers it at once
            "10000000, 10000000, 10000000",
            "10000000, 74000000, 11000000", // a longer one raises it by a 64th of the difference
            "400000, 400064, 400001",
    })
    void theShortestRecentCallFallsAtOnceAndRisesSlowly(long floor, long call, long next) {
        assertThat(QueueSender.rttFloor(floor, call)).isEqualTo(next);
    }

    @Test
    void afterSlowCallsAJobStartsItsOwnCallBesideTheOneInFlight() throws InterruptedException {
        QueueSender sender = new QueueSender(this::call, timer, LONG, 100);
        sender.send(QUEUE, List.of(job("slow")));
        Thread.sleep(20); // set-up, not an assertion: the call takes at least 20 ms, as AWS's SQS takes about 10
        calls().get(0).accept();

        sender.send(QUEUE, List.of(job("a")));
        sender.send(QUEUE, List.of(job("b")));
        assertThat(calls()).extracting(Call::jobIds).containsExactly(List.of("slow"), List.of("a"), List.of("b"));
    }

    @Test
    void aCallThatFailsUnexpectedlyMayHaveEnqueuedItsJobs() {
        QueueSender sender = new QueueSender((url, messages) -> {
            throw new IllegalStateException("a bug");
        }, timer, LONG, 100);
        List<SendOutcome> outcomes = sender.send(QUEUE, List.of(job("a"), job("b"))).join();
        assertThat(outcomes).allSatisfy(o -> {
            assertThat(o.accepted()).isFalse();
            assertThat(o.maybeEnqueued()).isTrue();
        });
        assertThat(sender.queued()).isZero();
    }

    @Test
    void noThreadWaitsOnASend() {
        QueueSender sender = new QueueSender(this::call, timer, LONG, 100);
        // Returns at once although SQS never answers.
        CompletableFuture<List<SendOutcome>> answer = sender.send(QUEUE, List.of(job("a")));
        assertThat(answer).isNotDone();
        calls().get(0).answer().completeExceptionally(new CompletionException(new IllegalStateException("cut")));
        assertThat(answer.join()).singleElement().satisfies(o -> assertThat(o.maybeEnqueued()).isTrue());
    }

    private static OutgoingMessage job(String id) {
        return new OutgoingMessage(id, "{}", Map.of(), 0, Optional.empty());
    }
}
