package io.coscale.concurrent;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * {@link ReadsAfter} on a hand-driven clock and hand-completed reads: a caller never gets a read older than its
 * question, callers share what they can, and a failed read is not handed out again.
 */
class ReadsAfterTest {

    private final AtomicLong now = new AtomicLong(1_000);
    private final List<CompletableFuture<String>> started = new ArrayList<>();
    private final ReadsAfter<String> reads = new ReadsAfter<>(() -> {
        CompletableFuture<String> read = new CompletableFuture<>();
        started.add(read);
        return read;
    }, now::get);

    @Test
    void theFirstCallerStartsARead() {
        CompletableFuture<String> answer = reads.after(now.get());

        assertThat(started).hasSize(1);
        started.get(0).complete("depth 3");
        assertThat(answer).isCompletedWithValue("depth 3");
    }

    @Test
    void callersWhoAskedBeforeAReadStartedShareIt() {
        long askedA = now.get();
        long askedB = now.get();
        now.addAndGet(10);
        CompletableFuture<String> a = reads.after(askedA);
        CompletableFuture<String> b = reads.after(askedB);

        assertThat(started).as("one read for both").hasSize(1);
        started.get(0).complete("depth 3");
        assertThat(a).isCompletedWithValue("depth 3");
        assertThat(b).isCompletedWithValue("depth 3");
    }

    @Test
    void aCallerWhoAskedAfterTheReadStartedGetsANewRead() {
        CompletableFuture<String> first = reads.after(now.get());
        now.addAndGet(10);
        CompletableFuture<String> later = reads.after(now.get());

        assertThat(started).as("the in-flight read began before the second question").hasSize(2);
        started.get(0).complete("old");
        started.get(1).complete("new");
        assertThat(first).isCompletedWithValue("old");
        assertThat(later).isCompletedWithValue("new");
    }

    @Test
    void aDoneReadServesCallersWhoAskedBeforeItStartedButNotAfterItsStart() {
        long asked = now.get();
        now.addAndGet(10);
        reads.after(asked);
        started.get(0).complete("depth 5");

        assertThat(reads.after(asked)).as("asked before the read began").isCompletedWithValue("depth 5");
        now.addAndGet(10);
        CompletableFuture<String> fresh = reads.after(now.get());
        assertThat(fresh).as("asked after the read began: a new read").isNotDone();
        assertThat(started).hasSize(2);
    }

    @Test
    void aFailedReadIsNotHandedOutAgain() {
        long asked = now.get();
        CompletableFuture<String> failed = reads.after(asked);
        started.get(0).completeExceptionally(new IllegalStateException("SQS down"));

        CompletableFuture<String> retried = reads.after(asked);

        assertThat(failed).isCompletedExceptionally();
        assertThat(started).as("the failure started a new read").hasSize(2);
        started.get(1).complete("depth 1");
        assertThat(retried).isCompletedWithValue("depth 1");
    }

    @Test
    void aReadThatThrowsBeforeReturningFailsOnlyItsOwnFuture() {
        ReadsAfter<String> throwing = new ReadsAfter<>(() -> {
            throw new IllegalStateException("no thread");
        }, now::get);

        assertThat(throwing.after(now.get())).isCompletedExceptionally();
    }
}
