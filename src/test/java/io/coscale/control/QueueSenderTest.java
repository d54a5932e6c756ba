package io.coscale.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.coscale.aws.OutgoingMessage;
import io.coscale.aws.QueueGateway;
import io.coscale.aws.SendOutcome;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The sender's promise: a job is either sent and accepted, or never handed to SQS ({@link NotEnqueuedException}).
 * SQS is a stand-in gateway whose calls the test holds with latches; merges run on a hand-drained executor, so
 * the test chooses whether a job's turn comes before or after its caller gives up.
 */
class QueueSenderTest {

    private static final String QUEUE = "http://sqs.local/000000000000/jobs";
    private static final Duration LONG = Duration.ofSeconds(30);

    /** Accepts every job; records each batch; holds a call while {@code hold} is set. */
    private static final class StandInQueues extends QueueGateway {
        final List<List<String>> calls = new CopyOnWriteArrayList<>();
        final CountDownLatch entered = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        volatile boolean hold;

        StandInQueues() {
            super(null);
        }

        @Override
        public List<SendOutcome> sendBatch(String queueUrl, List<OutgoingMessage> messages) {
            calls.add(messages.stream().map(OutgoingMessage::jobId).toList());
            if (hold) {
                entered.countDown();
                awaitQuietly(release);
            }
            return messages.stream().map(m -> new SendOutcome(m.jobId(), true, false, null, null, false)).toList();
        }
    }

    private final StandInQueues queues = new StandInQueues();
    private final ArrayDeque<Runnable> pending = new ArrayDeque<>();

    private void drain() {
        Runnable r;
        while ((r = poll()) != null) {
            r.run();
        }
    }

    private synchronized Runnable poll() {
        return pending.poll();
    }

    private final Executor handDrained = r -> {
        synchronized (this) {
            pending.add(r);
        }
    };

    @Test
    void aJobWhoseTurnHasNotComeWhenTheWaitEndsIsWithdrawnAndNeverSent() {
        QueueSender sender = new QueueSender(queues, handDrained, Duration.ofMillis(1), 100);
        assertThatThrownBy(() -> sender.send(QUEUE, job("late")))
                .isInstanceOf(NotEnqueuedException.class).hasMessageContaining("withdrawn and not enqueued");
        drain(); // its turn comes after its caller was answered 503
        assertThat(queues.calls).isEmpty();
        assertThat(sender.queued()).isZero();
    }

    @Test
    void aJobAlreadyInFlightWhenTheWaitEndsWaitsForSqsAndIsAccepted() throws Exception {
        queues.hold = true;
        // The merge starts on its own thread, and submit returns only once SQS holds the call: the 1 ms wait
        // then surely ends with the job in flight.
        Executor inFlightFirst = r -> {
            new Thread(r, "merge").start();
            awaitQuietly(queues.entered);
        };
        QueueSender sender = new QueueSender(queues, inFlightFirst, Duration.ofMillis(1), 100);
        CompletableFuture<Void> answered = new CompletableFuture<>();
        Thread caller = caller(() -> sender.send(QUEUE, job("slow")), answered);
        caller.start();
        // The caller's wait ended and it now waits, untimed, for SQS's answer rather than answering 503.
        await().atMost(Duration.ofSeconds(10)).failFast("the caller was answered before SQS", answered::isDone)
                .until(() -> caller.getState() == Thread.State.WAITING);
        queues.release.countDown();
        answered.get(10, TimeUnit.SECONDS);
        assertThat(queues.calls).containsExactly(List.of("slow"));
    }

    @Test
    void aFullSendQueueRefusesAtOnceWithoutEnqueuing() throws Exception {
        QueueSender sender = new QueueSender(queues, handDrained, LONG, 2);
        CompletableFuture<Void> first = new CompletableFuture<>();
        CompletableFuture<Void> second = new CompletableFuture<>();
        caller(() -> sender.send(QUEUE, job("a")), first).start();
        caller(() -> sender.send(QUEUE, job("b")), second).start();
        await().atMost(Duration.ofSeconds(10)).until(() -> sender.queued() == 2);

        assertThatThrownBy(() -> sender.send(QUEUE, job("c")))
                .isInstanceOf(NotEnqueuedException.class).hasMessageContaining("send queue is full");
        drain();
        first.get(10, TimeUnit.SECONDS);
        second.get(10, TimeUnit.SECONDS);
        assertThat(queues.calls.stream().flatMap(List::stream)).containsExactlyInAnyOrder("a", "b");
        assertThat(sender.queued()).isZero();
    }

    @Test
    void anInterruptedCallerWithdrawsItsQueuedJob() throws Exception {
        QueueSender sender = new QueueSender(queues, handDrained, LONG, 100);
        CompletableFuture<Void> answered = new CompletableFuture<>();
        Thread caller = caller(() -> sender.send(QUEUE, job("interrupted")), answered);
        caller.start();
        await().atMost(Duration.ofSeconds(10)).until(() -> sender.queued() == 1 && caller.getState() == Thread.State.TIMED_WAITING);
        caller.interrupt();
        assertThatThrownBy(() -> answered.get(10, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(InterruptedException.class);
        drain();
        assertThat(queues.calls).isEmpty();
    }

    @Test
    void jobsWaitingTogetherShareOneCall() throws Exception {
        QueueSender sender = new QueueSender(queues, handDrained, LONG, 100);
        List<CompletableFuture<Void>> answers = List.of(new CompletableFuture<>(), new CompletableFuture<>(), new CompletableFuture<>());
        for (int i = 0; i < answers.size(); i++) {
            String id = "j" + i;
            // FIFO: one shard, so all three share one merge queue.
            caller(() -> sender.send(QUEUE + ".fifo", job(id)), answers.get(i)).start();
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> sender.queued() == 3);
        drain();
        for (CompletableFuture<Void> answer : answers) {
            answer.get(10, TimeUnit.SECONDS);
        }
        assertThat(queues.calls).hasSize(1);
        assertThat(queues.calls.get(0)).containsExactlyInAnyOrder("j0", "j1", "j2");
    }

    private interface Send {
        void run() throws Exception;
    }

    private static Thread caller(Send send, CompletableFuture<Void> answered) {
        return new Thread(() -> {
            try {
                send.run();
                answered.complete(null);
            } catch (Exception e) {
                answered.completeExceptionally(e);
            }
        }, "caller");
    }

    private static OutgoingMessage job(String id) {
        return new OutgoingMessage(id, "{}", Map.of(), 0, Optional.empty());
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            if (!latch.await(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("latch not released");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
