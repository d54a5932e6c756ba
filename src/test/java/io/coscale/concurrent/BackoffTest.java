package io.coscale.concurrent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.coscale.aws.AwsCallException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class BackoffTest {

    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    private final Backoff backoff = new Backoff(3, 1, 5);
    private final AtomicInteger calls = new AtomicInteger();

    @AfterEach
    void stopTimer() {
        timer.shutdownNow();
    }

    private CompletableFuture<String> failing(int times, boolean transientFailure) {
        if (calls.incrementAndGet() <= times) {
            return CompletableFuture.failedFuture(new AwsCallException("x", transientFailure, false, "X", null));
        }
        return CompletableFuture.completedFuture("ok");
    }

    @Test
    void transientFailuresAreRetriedUntilTheCallSucceeds() throws Exception {
        assertThat(backoff.runAsync(() -> failing(2, true), timer).get(5, TimeUnit.SECONDS)).isEqualTo("ok");
        assertThat(calls).hasValue(3);
    }

    @Test
    void aTerminalFailureIsNotRetried() {
        assertThatThrownBy(() -> backoff.runAsync(() -> failing(1, false), timer).get(5, TimeUnit.SECONDS))
                .hasCauseInstanceOf(AwsCallException.class);
        assertThat(calls).hasValue(1);
    }

    @Test
    void itGivesUpAfterItsAttempts() {
        assertThatThrownBy(() -> backoff.runAsync(() -> failing(10, true), timer).get(5, TimeUnit.SECONDS))
                .hasCauseInstanceOf(AwsCallException.class);
        assertThat(calls).hasValue(3);
    }

    @Test
    void aStepThatThrowsBeforeItsFutureFailsLikeOne() {
        assertThatThrownBy(() -> backoff.runAsync(() -> {
            calls.incrementAndGet();
            throw new AwsCallException("thrown", false, false, "X", null);
        }, timer).get(5, TimeUnit.SECONDS)).hasCauseInstanceOf(AwsCallException.class);
        assertThat(calls).hasValue(1);
    }
}
