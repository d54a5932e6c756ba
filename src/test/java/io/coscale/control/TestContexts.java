package io.coscale.control;

import io.coscale.aws.EcsGateway;
import io.coscale.aws.QueueGateway;
import io.coscale.aws.TaskState;
import io.coscale.concurrent.TokenBucket;
import io.coscale.config.EcsConfig.TakeoverBy;
import io.coscale.control.budget.EcsBudget;
import io.coscale.control.budget.TaskReadBudget;
import java.time.Clock;
import java.time.Duration;

/** The shared parts of a pool, as Pools makes them with the default settings, for tests of its steps. */
final class TestContexts {

    private TestContexts() {
    }

    /**
     * A context on the system clock with coscale's default budgets (ECS's UpdateService, task-read and tag limits),
     * 2 step threads, 4 ECS and 4 SQS threads, no exit settle, and one replica alone.
     *
     * @param queues null for a test that asks SQS nothing
     */
    static ControlContext standard(EcsGateway ecs, QueueGateway queues, ControlMetrics metrics) {
        return standard(ecs, queues, metrics, TakeoverBy.AUTO);
    }

    /** As above, the protection take-over reading as {@code takeoverBy} says. */
    static ControlContext standard(EcsGateway ecs, QueueGateway queues, ControlMetrics metrics, TakeoverBy takeoverBy) {
        return ControlContext.create(ecs, queues, new EcsBudget(new TokenBucket(50, 5), "coscale-budget"),
                new TaskReadBudget(new TokenBucket(50, 15), 25, Duration.ofSeconds(10), new TokenBucket(50, 40), takeoverBy),
                new EcsBudget(new TokenBucket(20, 10), "coscale-tag-budget"), ControlThreads.create(2, 4, 4), Clock.systemUTC(),
                Duration.ofMillis(100), Duration.ofSeconds(2), 100, Duration.ZERO, metrics);
    }

    /** A live task of a service, as DescribeTasks would report it, with no exit recorded on it. */
    static TaskState task(String taskArn) {
        return task(taskArn, null);
    }

    /** As {@link #task(String)}, started by the deployment {@code startedBy}. */
    static TaskState task(String taskArn, String startedBy) {
        return new TaskState(taskArn, null, null, "RUNNING", "RUNNING", startedBy, null, null, null, null, null,
                false);
    }
}
