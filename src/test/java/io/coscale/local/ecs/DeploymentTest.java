package io.coscale.local.ecs;

import static io.coscale.local.ecs.EcsEmulatorFixture.CLUSTER;
import static io.coscale.local.ecs.EcsEmulatorFixture.FAMILY;
import static io.coscale.local.ecs.EcsEmulatorFixture.eventually;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ecs.model.ContainerDefinition;
import software.amazon.awssdk.services.ecs.model.Deployment;
import software.amazon.awssdk.services.ecs.model.InvalidParameterException;
import software.amazon.awssdk.services.ecs.model.Service;
import software.amazon.awssdk.services.ecs.model.Task;
import software.amazon.awssdk.services.ecs.model.TaskStopCode;

/** Rolling deployments (deployment controller ECS): a new task definition replaces every task within bounds. */
class DeploymentTest {

    private static final String SERVICE = "svc";
    private static final String V1 = EcsState.ARN_PREFIX + "task-definition/" + FAMILY + ":1";
    private static final String V2 = EcsState.ARN_PREFIX + "task-definition/" + FAMILY + ":2";

    private EcsEmulatorFixture fx;

    @AfterEach
    void stop() {
        fx.close();
    }

    @Test
    void aDeploymentReplacesEveryTaskWithinMinHealthyAndMaxPercent() {
        start(10, 4, 50, 150);
        String first = fx.service(SERVICE).deployments().get(0).id();

        deploy(V2);

        // minHealthy = ceil(4 * 50%) = 2, maxTotal = floor(4 * 150%) = 6; DescribeServices counts atomically.
        List<Service> samples = new ArrayList<>();
        eventually().until(() -> {
            Service s = fx.service(SERVICE);
            samples.add(s);
            return s.deployments().size() == 1 && s.deployments().get(0).rolloutStateAsString().equals("COMPLETED");
        });
        assertThat(samples).allSatisfy(s -> {
            assertThat(s.runningCount()).isGreaterThanOrEqualTo(2);
            assertThat(s.runningCount() + s.pendingCount()).isLessThanOrEqualTo(6);
        });
        assertThat(samples).anySatisfy(s -> assertThat(s.deployments()).hasSize(2));
        List<Task> tasks = fx.activeTasks(SERVICE);
        Service done = fx.service(SERVICE);
        assertThat(tasks).hasSize(4).allSatisfy(t -> {
            assertThat(t.taskDefinitionArn()).isEqualTo(V2);
            assertThat(t.startedBy()).isEqualTo(done.deployments().get(0).id());
        });
        assertThat(done.deployments().get(0).id()).isNotEqualTo(first);
        assertThat(done.taskDefinition()).isEqualTo(V2);
        List<Task> replaced = stoppedTasks();
        assertThat(replaced).hasSize(4).allSatisfy(t -> {
            assertThat(t.taskDefinitionArn()).isEqualTo(V1);
            assertThat(t.startedBy()).isEqualTo(first);
            assertThat(t.stopCode()).isEqualTo(TaskStopCode.SERVICE_SCHEDULER_INITIATED);
            assertThat(t.stoppedReason()).startsWith("Task replaced by deployment");
        });
        EmulatorStats.Snapshot stats = fx.emulator.stats().snapshot();
        assertThat(stats.deploymentsStarted()).isEqualTo(1);
        assertThat(stats.deploymentsCompleted()).isEqualTo(1);
    }

    @Test
    void aProtectedOldTaskIsKeptUntilItsProtectionIsRemovedThenReplaced() {
        start(10, 2, 100, 200);
        List<String> old = fx.activeTasks(SERVICE).stream().map(Task::taskArn).toList();
        protect(old.get(0), true);

        deploy(V2);

        // The tick that replaced the unprotected old task had room to replace both: it spared the protected one.
        eventually().until(() -> fx.task(old.get(1)).lastStatus().equals("STOPPED"));
        Task kept = fx.task(old.get(0));
        assertThat(kept.lastStatus()).isEqualTo("RUNNING");
        assertThat(kept.desiredStatus()).isEqualTo("RUNNING");
        fx.awaitCounts(SERVICE, 3, 0);
        Service rolling = fx.service(SERVICE);
        assertThat(rolling.taskDefinition()).isEqualTo(V2);
        assertThat(rolling.deployments()).hasSize(2);
        Deployment primary = rolling.deployments().get(0);
        Deployment active = rolling.deployments().get(1);
        assertThat(primary.status()).isEqualTo("PRIMARY");
        assertThat(primary.taskDefinition()).isEqualTo(V2);
        assertThat(primary.rolloutStateAsString()).isEqualTo("IN_PROGRESS");
        assertThat(primary.desiredCount()).isEqualTo(2);
        assertThat(primary.runningCount()).isEqualTo(2);
        assertThat(primary.createdAt()).isNotNull();
        assertThat(primary.updatedAt()).isNotNull();
        assertThat(active.status()).isEqualTo("ACTIVE");
        assertThat(active.taskDefinition()).isEqualTo(V1);
        assertThat(active.runningCount()).isEqualTo(1);
        assertThat(active.pendingCount()).isZero();
        assertThat(active.updatedAt()).isAfterOrEqualTo(active.createdAt());

        protect(old.get(0), false);

        eventually().until(() -> fx.task(old.get(0)).lastStatus().equals("STOPPED"));
        assertThat(fx.task(old.get(0)).stoppedReason()).startsWith("Task replaced by deployment");
        eventually().until(() -> fx.service(SERVICE).deployments().size() == 1);
        Deployment completed = fx.service(SERVICE).deployments().get(0);
        assertThat(completed.id()).isEqualTo(primary.id());
        assertThat(completed.status()).isEqualTo("PRIMARY");
        assertThat(completed.rolloutStateAsString()).isEqualTo("COMPLETED");
        assertThat(fx.emulator.stats().snapshot().deploymentsCompleted()).isEqualTo(1);
    }

    @Test
    void aScaleInDuringADeploymentStopsOldTasksFirst() {
        // A full cluster stalls the rollout: 4 old tasks run, 2 new ones (maxTotal 6) wait for room.
        start(4, 4, 100, 150);
        deploy(V2);
        eventually().until(() -> {
            Service s = fx.service(SERVICE);
            return s.deployments().size() == 2 && s.deployments().get(0).pendingCount() == 2;
        });

        fx.setDesiredCount(SERVICE, 3);

        eventually().until(() -> {
            Service s = fx.service(SERVICE);
            return s.deployments().size() == 1 && s.runningCount() == 3
                    && s.deployments().get(0).rolloutStateAsString().equals("COMPLETED");
        });
        List<Task> stopped = stoppedTasks();
        List<Task> scaledIn = stopped.stream().filter(t -> t.stoppedReason().startsWith("Scaling activity")).toList();
        // maxTotal fell to 4 with 6 active: two victims, both old, none of the pending new ones.
        assertThat(scaledIn).hasSize(2).allSatisfy(t -> assertThat(t.taskDefinitionArn()).isEqualTo(V1));
        assertThat(stopped).hasSize(4).allSatisfy(t -> assertThat(t.taskDefinitionArn()).isEqualTo(V1));
        assertThat(fx.activeTasks(SERVICE)).hasSize(3).allSatisfy(t -> assertThat(t.taskDefinitionArn()).isEqualTo(V2));
    }

    @Test
    void desiredCountChangesAreSummedUpAndDown() {
        start(10, 0, 100, 200);

        fx.setDesiredCount(SERVICE, 3);
        fx.setDesiredCount(SERVICE, 3);
        fx.setDesiredCount(SERVICE, 1);
        fx.setDesiredCount(SERVICE, 2);
        fx.ecs.updateService(r -> r.cluster(CLUSTER).service(SERVICE).taskDefinition(V1));

        EmulatorStats.Snapshot stats = fx.emulator.stats().snapshot();
        assertThat(stats.desiredCountRaised()).isEqualTo(4);
        assertThat(stats.desiredCountLowered()).isEqualTo(2);
        // The same task definition, not forced, starts no deployment.
        assertThat(stats.deploymentsStarted()).isZero();
        assertThat(fx.service(SERVICE).deployments()).hasSize(1);
    }

    @Test
    void forceNewDeploymentReplacesTasksOfTheSameDefinition() {
        start(10, 2, 100, 200);
        List<String> old = fx.activeTasks(SERVICE).stream().map(Task::taskArn).toList();

        fx.ecs.updateService(r -> r.cluster(CLUSTER).service(SERVICE).forceNewDeployment(true));

        eventually().until(() -> fx.tasks(old.toArray(String[]::new)).stream()
                .allMatch(t -> t.lastStatus().equals("STOPPED")));
        fx.awaitCounts(SERVICE, 2, 0);
        assertThat(fx.activeTasks(SERVICE)).hasSize(2).noneMatch(t -> old.contains(t.taskArn()))
                .allSatisfy(t -> assertThat(t.taskDefinitionArn()).isEqualTo(V1));
        assertThat(fx.emulator.stats().snapshot().deploymentsStarted()).isEqualTo(1);
    }

    @Test
    void deploymentConfigurationIsValidatedKeptAndShown() {
        fx = EcsEmulatorFixture.start(4, EcsEmulatorFixture.idleRunner());
        fx.setUpCluster(1, Map.of());
        fx.createService(SERVICE, 1);
        assertThat(fx.service(SERVICE).deploymentConfiguration().minimumHealthyPercent()).isEqualTo(100);
        assertThat(fx.service(SERVICE).deploymentConfiguration().maximumPercent()).isEqualTo(200);

        assertThatThrownBy(() -> fx.ecs.updateService(r -> r.cluster(CLUSTER).service(SERVICE).desiredCount(3)
                .deploymentConfiguration(c -> c.maximumPercent(90))))
                .isInstanceOf(InvalidParameterException.class);
        assertThatThrownBy(() -> fx.ecs.createService(r -> r.cluster(CLUSTER).serviceName("other").taskDefinition(FAMILY)
                .deploymentConfiguration(c -> c.minimumHealthyPercent(101))))
                .isInstanceOf(InvalidParameterException.class);
        // A rejected update changes nothing.
        assertThat(fx.service(SERVICE).desiredCount()).isEqualTo(1);

        fx.ecs.updateService(r -> r.cluster(CLUSTER).service(SERVICE).deploymentConfiguration(c -> c.maximumPercent(125)));

        Service service = fx.service(SERVICE);
        assertThat(service.deploymentConfiguration().minimumHealthyPercent()).isEqualTo(100);
        assertThat(service.deploymentConfiguration().maximumPercent()).isEqualTo(125);
        assertThat(fx.emulator.stats().snapshot().deploymentsStarted()).isZero();
    }

    private void start(int capacity, int desired, int minHealthyPercent, int maximumPercent) {
        fx = EcsEmulatorFixture.start(capacity, EcsEmulatorFixture.idleRunner());
        fx.setUpCluster(1, Map.of());
        fx.ecs.registerTaskDefinition(r -> r.family(FAMILY).containerDefinitions(ContainerDefinition.builder()
                .name("main").image("coscale/worker:2").stopTimeout(1).build()));
        fx.ecs.createService(r -> r.cluster(CLUSTER).serviceName(SERVICE).taskDefinition(V1).desiredCount(desired)
                .deploymentConfiguration(c -> c.minimumHealthyPercent(minHealthyPercent).maximumPercent(maximumPercent)));
        fx.awaitCounts(SERVICE, desired, 0);
        eventually().until(() -> fx.service(SERVICE).deployments().get(0).rolloutStateAsString().equals("COMPLETED"));
    }

    private void deploy(String taskDefinition) {
        fx.ecs.updateService(r -> r.cluster(CLUSTER).service(SERVICE).taskDefinition(taskDefinition));
    }

    private void protect(String task, boolean enabled) {
        fx.ecs.updateTaskProtection(r -> r.cluster(CLUSTER).tasks(task).protectionEnabled(enabled).expiresInMinutes(60));
    }

    private List<Task> stoppedTasks() {
        List<String> arns = fx.ecs.listTasks(r -> r.cluster(CLUSTER).serviceName(SERVICE).desiredStatus("STOPPED"))
                .taskArns();
        return arns.isEmpty() ? List.of() : fx.tasks(arns.toArray(String[]::new));
    }
}
