package io.coscale.concurrent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.junit.jupiter.api.Test;

/** The pool's step queue on a deterministic executor: the test decides when anything runs. */
class SerialStepsTest {

    /** An executor that only queues. */
    static final class ManualExecutor implements Executor {
        final ArrayDeque<Runnable> pending = new ArrayDeque<>();
        boolean reject;

        @Override
        public void execute(Runnable r) {
            if (reject) {
                throw new RejectedExecutionException("shut down");
            }
            pending.add(r);
        }

        void runAll() {
            for (Runnable r; (r = pending.poll()) != null; ) {
                r.run();
            }
        }
    }

    private final ManualExecutor executor = new ManualExecutor();
    private final SerialSteps steps = new SerialSteps(executor);
    private final List<String> log = new ArrayList<>();

    @Test
    void stepsStartInSubmissionOrderAndNeverOnTheSubmittingThread() {
        for (int i = 0; i < 4; i++) {
            int n = i;
            steps.submit(() -> {
                log.add("s" + n);
                return CompletableFuture.completedFuture(n);
            });
        }
        assertThat(log).isEmpty();
        executor.runAll();
        assertThat(log).containsExactly("s0", "s1", "s2", "s3");
    }

    @Test
    void aStepWaitingForItsFutureHoldsBackTheNextButNoThread() {
        CompletableFuture<String> slow = new CompletableFuture<>();
        CompletableFuture<String> first = steps.submit(() -> {
            log.add("first started");
            return slow;
        });
        CompletableFuture<String> second = steps.submit(() -> {
            log.add("second started");
            return CompletableFuture.completedFuture("b");
        });
        executor.runAll();
        assertThat(log).containsExactly("first started");
        assertThat(executor.pending).as("nothing is parked on the executor while the step waits").isEmpty();

        slow.complete("a");
        executor.runAll();
        assertThat(log).containsExactly("first started", "second started");
        assertThat(first).isCompletedWithValue("a");
        assertThat(second).isCompletedWithValue("b");
    }

    @Test
    void aStepSubmittedFromInsideAStepStartsAfterItNeverNested() {
        steps.submit(() -> {
            log.add("outer start");
            steps.submit(() -> {
                log.add("inner");
                return CompletableFuture.completedFuture(null);
            });
            log.add("outer end");
            return CompletableFuture.completedFuture(null);
        });
        executor.runAll();
        assertThat(log).containsExactly("outer start", "outer end", "inner");
    }

    @Test
    void aThrowingOrFailingStepFailsOnlyItself() {
        CompletableFuture<Object> thrown = steps.submit(() -> {
            throw new IllegalStateException("boom");
        });
        CompletableFuture<Object> failed = steps.submit(() -> CompletableFuture.failedFuture(new IllegalArgumentException("bad")));
        CompletableFuture<String> next = steps.submit(() -> CompletableFuture.completedFuture("ok"));
        executor.runAll();
        assertThatThrownBy(thrown::get).isInstanceOf(ExecutionException.class).hasCauseInstanceOf(IllegalStateException.class);
        assertThatThrownBy(failed::get).hasCauseInstanceOf(IllegalArgumentException.class);
        assertThat(next).isCompletedWithValue("ok");
    }

    @Test
    void aStepAfterAFailedOneIsAnsweredWithItsOwnOutcomeNotTheFailureBeforeIt() {
        CompletableFuture<Object> failed = steps.submit(() -> CompletableFuture.failedFuture(new IllegalStateException("boom")));
        executor.runAll();
        CompletableFuture<String> later = new CompletableFuture<>();
        CompletableFuture<String> next = steps.submit(() -> later);
        executor.runAll();
        assertThat(failed).isCompletedExceptionally();
        assertThat(next).as("still waiting for its own future").isNotDone();
        later.complete("ok");
        assertThat(next).isCompletedWithValue("ok");
    }

    @Test
    void aRejectingExecutorFailsTheStepInsteadOfStrandingTheQueue() {
        executor.reject = true;
        CompletableFuture<String> step = steps.submit(() -> CompletableFuture.completedFuture("never"));
        assertThat(step).isCompletedExceptionally();
        executor.reject = false;
        CompletableFuture<String> after = steps.submit(() -> CompletableFuture.completedFuture("runs"));
        executor.runAll();
        assertThat(after).isCompletedWithValue("runs");
    }
}
