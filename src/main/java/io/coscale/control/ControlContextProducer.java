package io.coscale.control;

import io.coscale.aws.EcsGateway;
import io.coscale.aws.QueueGateway;
import io.coscale.config.ControlConfig;
import io.coscale.control.budget.EcsBudgets;
import io.coscale.control.budget.TaskReadBudget;
import io.coscale.lease.CountForwarding;
import io.coscale.lease.Leadership;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.time.Clock;

/**
 * The wiring of what every pool's steps share ({@link ControlContext}): gateways, budgets, threads, the lease. The
 * registry, the intake, the workers' entry and the reconciler are each handed it; its threads end with the application.
 */
@Singleton
class ControlContextProducer {

    @Produces
    @Singleton
    ControlContext context(ControlConfig config, EcsGateway ecs, QueueGateway queues, EcsBudgets budgets,
            TaskReadBudget taskReads, ControlMetrics metrics, Leadership leadership, CountForwarding counts) {
        ControlThreads threads = ControlThreads.create(config.threads(), config.ecsThreads(), config.sqsThreads());
        return ControlContext.create(ecs, queues, budgets.updateService(), taskReads, budgets.tags(), threads,
                Clock.systemUTC(), config.scaleUpSpacing(), config.scaleUpSpacingMax(), config.eventsPerPool(),
                config.exitSettle(), metrics, leadership, counts);
    }

    void close(@Disposes ControlContext context) {
        context.threads().shutdown();
    }
}
