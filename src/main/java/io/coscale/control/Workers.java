package io.coscale.control;

import io.coscale.config.ControlConfig;
import io.coscale.domain.ReleaseDecision;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * The workers' way in, for {@code /v1/claim} and {@code /v1/release}: the task is resolved to its pool from ECS
 * ({@link TaskResolver}: it must be a PENDING or RUNNING task of a managed pool's service, and of {@code claimedPool}
 * when one is given), then claims or releases there. Both fail with {@link IllegalArgumentException} (a malformed
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

    /** The task claims (before its first receive; later claims are heartbeats): see {@link WorkerTask#claim}. */
    public CompletableFuture<ClaimResult> claim(String taskArn, Optional<String> claimedPool) {
        return resolver.resolve(taskArn, claimedPool).thenCompose(WorkerTask::claim);
    }

    /** The task found its queue empty: see {@link WorkerTask#release}. */
    public CompletableFuture<Released> release(String taskArn, Optional<String> claimedPool) {
        return resolver.resolve(taskArn, claimedPool)
                .thenCompose(task -> task.release().thenApply(decision -> new Released(task.poolName(), decision)));
    }
}
