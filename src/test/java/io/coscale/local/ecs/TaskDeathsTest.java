package io.coscale.local.ecs;

import static io.coscale.local.ecs.EcsEmulatorFixture.CLUSTER;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ecs.model.DesiredStatus;
import software.amazon.awssdk.services.ecs.model.Task;

/** Injected deaths kill RUNNING service tasks the way a crash would, and the service replaces them. */
class TaskDeathsTest {

    private static final String SERVICE = "svc";

    private EcsEmulatorFixture fx;

    @BeforeEach
    void start() {
        fx = EcsEmulatorFixture.start(4, EcsEmulatorFixture.idleRunner());
        fx.setUpCluster(2, Map.of());
        fx.createService(SERVICE, 2);
        fx.awaitCounts(SERVICE, 2, 0);
    }

    @AfterEach
    void stop() {
        fx.close();
    }

    @Test
    void deathsKillRunningTasksWhichTheServiceReplaces() {
        // 600 per minute with 20 ms ticks: a death in one tick out of five, ten a second.
        fx.emulator.faults().taskDeathsPerMinute(600);
        EcsEmulatorFixture.eventually().until(() -> fx.emulator.stats().snapshot().taskDeaths() >= 3);
        fx.emulator.faults().taskDeathsPerMinute(0);

        fx.awaitCounts(SERVICE, 2, 0);
        List<String> stoppedArns = fx.ecs.listTasks(r -> r.cluster(CLUSTER).serviceName(SERVICE)
                .desiredStatus(DesiredStatus.STOPPED)).taskArns();
        List<Task> dead = fx.tasks(stoppedArns.toArray(String[]::new)).stream()
                .filter(t -> t.stoppedReason().contains("injected death"))
                .toList();
        assertThat(dead).hasSize((int) fx.emulator.stats().snapshot().taskDeaths());
        assertThat(dead).allSatisfy(t -> {
            assertThat(t.lastStatus()).isEqualTo("STOPPED");
            assertThat(t.stopCodeAsString()).isEqualTo("EssentialContainerExited");
            assertThat(t.startedAt()).as("it was RUNNING when it died").isNotNull();
            assertThat(t.containers().get(0).exitCode()).as("killed, as by SIGKILL").isEqualTo(137);
        });
        assertThat(fx.activeTasks(SERVICE)).hasSize(2)
                .allSatisfy(t -> assertThat(t.lastStatus()).isEqualTo("RUNNING"))
                .noneMatch(dead::contains);
    }

    @Test
    void withNoRateNoTaskDies() {
        // Over every tick that starts and scales the service, none kills: deaths are off unless asked for.
        fx.emulator.faults().taskDeathsPerMinute(0);
        fx.setDesiredCount(SERVICE, 3);
        fx.awaitCounts(SERVICE, 3, 0);

        assertThat(fx.emulator.stats().snapshot().taskDeaths()).isZero();
        assertThat(fx.ecs.listTasks(r -> r.cluster(CLUSTER).desiredStatus(DesiredStatus.STOPPED)).taskArns()).isEmpty();
    }
}
