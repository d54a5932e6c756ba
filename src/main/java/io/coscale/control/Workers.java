package io.coscale.control;

import io.coscale.config.ControlConfig;
import io.coscale.domain.ReleaseDecision;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * The workers' way in, for {@code /v1/claim} and {@code /v1/release}: the task is resolved to its pool from ECS
 * ({@link TaskResolver}: it must be a PENDING or RUNNING task of a managed pool's service, and of {@code claimedPool}
 * when one is given), checked against the pools the caller's credential is bound to, then claims or releases there. Both fail with {@link IllegalArgumentException} (a malformed
 * ARN), {@link TaskRejectedException} (not a live task of a managed pool, or of another pool), or as
 * {@link StepFailures#unreachable} says.
 */
@Singleton
public class Workers {

    private final TaskResolver resolver;

    @Inject
    Workers(Pools pools, ControlContext ctx, ControlConfig config) {
        this.resolver = new TaskResolver(ctx, pools::pools, config.taskCacheTtl(), config.exitSettle());
    }

    /** What a released task does next, and the pool it belongs to. */
    public record Released(String pool, ReleaseDecision decision) {
    }

    /**
     * The task claims (before its first receive; later claims are heartbeats): see {@link PoolController#claim}.
     *
     * @param boundTo the only pools the caller may act on (its credential's), empty for every pool
     */
    public CompletableFuture<ClaimResult> claim(String taskArn, Optional<String> claimedPool, Optional<Set<String>> boundTo) {
        return resolve(taskArn, claimedPool, boundTo)
                .thenCompose(task -> task.pool().claim(task.task().taskArn(), task.task().startedBy()));
    }

    /** The task found its queue empty: see {@link PoolController#release}; {@code boundTo} as for a claim. */
    public CompletableFuture<Released> release(String taskArn, Optional<String> claimedPool, Optional<Set<String>> boundTo) {
        return resolve(taskArn, claimedPool, boundTo)
                .thenCompose(task -> task.pool().release(task.task())
                        .thenApply(decision -> new Released(task.poolName(), decision)));
    }

    /** The task's pool, refused before anything changes when the caller's credential is bound to other pools. */
    private CompletableFuture<WorkerTask> resolve(String taskArn, Optional<String> claimedPool, Optional<Set<String>> boundTo) {
        return resolver.resolve(taskArn, claimedPool).thenApply(task -> {
            if (boundTo.isPresent() && !boundTo.get().contains(task.poolName())) {
                throw new TaskRejectedException("task " + taskArn + " belongs to pool " + task.poolName()
                        + ", which this credential may not act on (its pools: " + String.join(", ", boundTo.get().stream().sorted().toList()) + ")");
            }
            return task;
        });
    }
}
