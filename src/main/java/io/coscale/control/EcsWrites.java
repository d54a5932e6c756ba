package io.coscale.control;

import io.coscale.aws.AwsCallException;
import io.coscale.aws.EcsGateway;
import io.coscale.aws.TaskProtections;
import io.coscale.concurrent.Attempts;
import io.coscale.concurrent.Backoff;
import io.coscale.concurrent.Batcher;
import io.coscale.concurrent.Futures;
import io.coscale.control.budget.EcsBudget;
import io.coscale.domain.Mode;
import io.coscale.domain.Pool;
import io.coscale.lease.Leadership;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The one door of coscale's ECS writes. Every write is fenced by the lease ({@link Leadership#fenced}: checked right
 * before it and counted in flight until it ends) and made on the ECS threads. A metered write (UpdateService, and
 * TagResource for exit records) first waits for a token of its {@link EcsBudget}, holding no thread, one token per
 * attempt, and its transient failures are retried briefly, the write as uncertain as its most uncertain attempt
 * ({@link Attempts}). Protection changes are merged per cluster and shard into UpdateTaskProtection calls, one task's
 * changes always in order. A release's exit makes its two writes here, in order ({@link #exit}); its decrement is
 * written with the pool's next count change ({@link PendingExits}).
 */
final class EcsWrites {

    /** Retries of one ECS change inside a serialized step: short, so that one pool never stalls for long. */
    static final Backoff CHANGE_RETRIES = new Backoff(4, 50, 1_000);
    private static final Duration UNPROTECT_TIMEOUT = Duration.ofSeconds(10);

    /** The write of an exit that failed: what was confirmed before it stands. */
    enum ExitWrite { UNPROTECT, RECORD }

    /** An exit that stopped at {@code write}; its cause is the write's failure. */
    static final class ExitStopped extends RuntimeException {

        private final ExitWrite write;

        ExitStopped(ExitWrite write, Throwable cause) {
            super(write + " failed", cause, false, false);
            this.write = write;
        }

        ExitWrite write() {
            return write;
        }
    }

    /** One change's answer: applied, with the expiry (empty when off or not given), or refused for this task alone. */
    record ProtectionAnswer(Optional<Instant> expiry, String refusal) {
    }

    private final EcsGateway ecs;
    private final ControlThreads threads;
    private final Leadership leadership;
    private final EcsBudget updateServiceBudget;
    private final EcsBudget tagBudget;
    private final ControlMetrics metrics;
    private final Batcher<ProtectionShard, ProtectionChange, ProtectionAnswer> protection;

    EcsWrites(EcsGateway ecs, ControlThreads threads, Leadership leadership, EcsBudget updateServiceBudget,
            EcsBudget tagBudget, ControlMetrics metrics) {
        this.ecs = ecs;
        this.threads = threads;
        this.leadership = leadership;
        this.updateServiceBudget = updateServiceBudget;
        this.tagBudget = tagBudget;
        this.metrics = metrics;
        this.protection = new Batcher<>(EcsGateway.PROTECTION_BATCH, threads.ecsCalls(),
                (shard, changes) -> leadership.fenced(() -> applyProtection(shard.cluster(), changes)),
                ProtectionChange::sameCall);
    }

    /**
     * A release's exit, its writes in order, the second sent only once ECS confirmed the first: the task unprotected
     * (protect mode: once the count is lower ECS may stop any unprotected task, and this one must be one); then, when
     * the exit lowers the count to {@code lowerTo}, the exit recorded on the task (the tag before the decrement, which
     * the caller has written after it: a crash between the two loses a decrement, never doubles one). Fails with
     * {@link ExitStopped}, which names the write that failed.
     */
    CompletableFuture<Void> exit(Pool pool, String taskArn, OptionalInt lowerTo) {
        CompletableFuture<Void> unprotected = pool.mode() != Mode.PROTECT ? CompletableFuture.completedFuture(null)
                : stopsAt(ExitWrite.UNPROTECT, changeProtection(pool.cluster(),
                        new ProtectionChange(taskArn, false, pool.protectionMinutes()))
                        .orTimeout(UNPROTECT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).thenApply(expiry -> null));
        if (lowerTo.isEmpty()) {
            return unprotected;
        }
        return unprotected.thenCompose(done -> stopsAt(ExitWrite.RECORD, recordExit(taskArn, lowerTo.getAsInt())));
    }

    /** The write an exit's failure ({@link #exit}) stopped at; UNPROTECT for a failure before any. */
    static ExitWrite failedWrite(Throwable exitFailure) {
        return Futures.cause(exitFailure) instanceof ExitStopped stopped ? stopped.write() : ExitWrite.UNPROTECT;
    }

    /** What an exit's failure ({@link #exit}) met: the failed write's own failure. */
    static Throwable exitCause(Throwable exitFailure) {
        Throwable cause = Futures.cause(exitFailure);
        return cause instanceof ExitStopped stopped ? stopped.getCause() : cause;
    }

    private static CompletableFuture<Void> stopsAt(ExitWrite write, CompletableFuture<Void> call) {
        return call.exceptionallyCompose(e -> CompletableFuture.failedFuture(new ExitStopped(write, Futures.cause(e))));
    }

    /** Sets a pool's desiredCount through the UpdateService budget. */
    CompletableFuture<Void> updateService(Pool pool, int desiredCount) {
        return metered(updateServiceBudget, gateway -> {
            metrics.updateServiceCall(pool.name());
            try {
                gateway.setDesiredCount(pool.cluster(), pool.service(), desiredCount);
            } catch (AwsCallException e) {
                if (e.isThrottled()) {
                    metrics.updateServiceThrottled(pool.name());
                }
                throw e;
            }
        });
    }

    /**
     * Records an exit on its task (a TagResource) through the tag budget: ECS meters TagResource per account, so a
     * mass exit across pools waits its turn instead of being throttled. The same tag written twice is one record.
     */
    CompletableFuture<Void> recordExit(String taskArn, int desiredCount) {
        return metered(tagBudget, gateway -> gateway.recordExit(taskArn, desiredCount));
    }

    /** A metered write: budget, then lease, then the call; retried, as uncertain as its most uncertain attempt. */
    private CompletableFuture<Void> metered(EcsBudget budget, Consumer<EcsGateway> write) {
        return CHANGE_RETRIES.runWriteAsync(() -> budget.acquire().thenCompose(turn -> fenced(gateway -> {
            write.accept(gateway);
            return (Void) null;
        })), threads.timer(), threads.jitter());
    }

    /**
     * An ECS write on the ECS threads, made only while this replica holds the lease (checked right before it, and
     * counted in flight until it ends: see {@link Leadership#fenced}).
     */
    private <T> CompletableFuture<T> fenced(Function<EcsGateway, T> call) {
        return Futures.on(threads.ecsCalls(), () -> leadership.fenced(() -> call.apply(ecs)));
    }

    /**
     * A protection change for one task, merged with others of its cluster and shard. An enable ECS refused because the
     * task is not running (stopping, stopped) fails with {@link TaskRejectedException}: it is no live task, whatever an
     * earlier DescribeTasks said. Any other refusal fails as ECS not answering: a transient {@link AwsCallException}
     * with the refusal as its code ({@link #notFound}: MISSING, a task ECS does not find, gone or not yet visible).
     */
    CompletableFuture<Optional<Instant>> changeProtection(String cluster, ProtectionChange change) {
        return protection.submit(ProtectionShard.of(cluster, change.taskArn()), change).thenApply(answer -> {
            if (answer.refusal() == null) {
                return answer.expiry();
            }
            String why = "ECS refused to protect task " + change.taskArn() + ": " + answer.refusal();
            throw TaskProtections.TASK_NOT_VALID.equals(answer.refusal()) ? new TaskRejectedException(why)
                    : new AwsCallException(why, true, false, answer.refusal(), null);
        });
    }

    /**
     * Applies {@code changes} (all alike: see {@link ProtectionChange#sameCall}) in one call. An enable ECS refused is
     * answered with ECS's reason; a refused disable is moot (the task is gone), so it is answered as applied. A change
     * ECS said nothing about has no answer (its claim fails as ECS not answering).
     */
    private Map<ProtectionChange, ProtectionAnswer> applyProtection(String cluster, List<ProtectionChange> changes) {
        ProtectionChange first = changes.get(0);
        TaskProtections done = ecs.setProtection(cluster,
                changes.stream().map(ProtectionChange::taskArn).distinct().toList(), first.enabled(), first.minutes());
        Map<ProtectionChange, ProtectionAnswer> answers = new HashMap<>();
        for (ProtectionChange change : changes) {
            Optional<Instant> applied = done.applied().get(change.taskArn());
            String refusal = done.refused().get(change.taskArn());
            if (applied != null) {
                answers.put(change, new ProtectionAnswer(applied, null));
            } else if (!change.enabled()) {
                answers.put(change, new ProtectionAnswer(Optional.empty(), null));
            } else if (refusal != null) {
                answers.put(change, new ProtectionAnswer(Optional.empty(), refusal));
            }
        }
        return answers;
    }

    /** Whether a protection change failed because ECS did not find the task ({@link TaskProtections#MISSING}). */
    static boolean notFound(Throwable failure) {
        return Futures.cause(failure) instanceof AwsCallException e && TaskProtections.MISSING.equals(e.errorCode());
    }

    /**
     * Whether a failed ECS write surely changed nothing: refused before it was applied, in every attempt
     * ({@link Attempts#maybeApplied}). A write this replica stopped making because it no longer leads counts as maybe
     * applied: an earlier attempt may have been.
     */
    static boolean surelyNotApplied(Throwable failure) {
        return !Attempts.maybeApplied(failure);
    }
}
