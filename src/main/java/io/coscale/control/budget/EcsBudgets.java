package io.coscale.control.budget;

import io.coscale.config.EcsConfig;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;

/** The replica's ECS write budgets, one per metered action coscale writes: UpdateService and TagResource. */
@Singleton
public class EcsBudgets {

    private final EcsBudget updateService;
    private final EcsBudget tags;

    @Inject
    EcsBudgets(EcsConfig config) {
        this.updateService = EcsBudget.updateService(config);
        this.tags = EcsBudget.tags(config);
    }

    /** UpdateService: every change of a pool's desiredCount. */
    public EcsBudget updateService() {
        return updateService;
    }

    /** TagResource: the exit records. */
    public EcsBudget tags() {
        return tags;
    }

    @PreDestroy
    void close() {
        updateService.close();
        tags.close();
    }
}
