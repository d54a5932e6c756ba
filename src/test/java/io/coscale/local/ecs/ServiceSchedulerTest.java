package io.coscale.local.ecs;

import static org.assertj.core.api.Assertions.assertThat;

import io.coscale.local.ecs.EcsState.Cluster;
import io.coscale.local.ecs.EcsState.Container;
import io.coscale.local.ecs.EcsState.Service;
import io.coscale.local.ecs.EcsState.TaskDefinition;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Which services a scheduler tick may skip: only those it would leave exactly as they are. */
class ServiceSchedulerTest {

    private static final Instant NOW = Instant.parse("2026-12-02T10:00:00Z");
    private static final TaskDefinition V1 = new TaskDefinition("worker", 1,
            List.of(new Container("worker", "image", Map.of(), 30)), "256", "512");
    private static final TaskDefinition V2 = new TaskDefinition("worker", 2, V1.containers(), "256", "512");

    @Test
    void onlyAServiceAtZeroWhoseOnlyDeploymentCompletedIsSettled() {
        Service fresh = service(0);
        assertThat(ServiceScheduler.settledAtZero(fresh)).as("just created: its deployment is still IN_PROGRESS").isFalse();

        Service settled = service(0);
        settled.primary().completed(NOW);
        assertThat(ServiceScheduler.settledAtZero(settled)).isTrue();

        Service wanted = service(1);
        wanted.primary().completed(NOW);
        assertThat(ServiceScheduler.settledAtZero(wanted)).as("desiredCount 1: a task to start").isFalse();

        Service rolling = service(0);
        rolling.primary().completed(NOW);
        rolling.deploy(V2, NOW);
        assertThat(ServiceScheduler.settledAtZero(rolling)).as("a new deployment to settle").isFalse();
    }

    private static Service service(int desired) {
        return new Service("svc", new Cluster("c"), V1, desired, DeploymentConfiguration.DEFAULT, NOW);
    }
}
