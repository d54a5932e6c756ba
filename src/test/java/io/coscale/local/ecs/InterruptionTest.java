package io.coscale.local.ecs;

import static io.coscale.local.ecs.EcsEmulatorFixture.CLUSTER;
import static org.assertj.core.api.Assertions.assertThat;

import io.coscale.local.task.ThreadTaskRunner;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ecs.model.DesiredStatus;
import software.amazon.awssdk.services.ecs.model.Task;

/**
 * Tasks stopped for ECS's own reasons: Spot interruption and host retirement signal the workload and kill it after
 * stopTimeout, an out-of-memory kill is immediate; scale-in protection holds none of them off; the service replaces
 * the task; DescribeTasks shows stopCode, stoppedReason and stoppedAt as ECS does.
 */
class InterruptionTest {

    private static final String SERVICE = "svc";

    private EcsEmulatorFixture fx;

    @AfterEach
    void stop() {
        if (fx != null) {
            fx.close();
        }
    }

    private String runningTask(EcsEmulatorFixture fixture, int stopTimeoutSeconds) {
        fx = fixture;
        fx.setUpCluster(stopTimeoutSeconds, Map.of());
        fx.createService(SERVICE, 2);
        fx.awaitCounts(SERVICE, 2, 0);
        return fx.activeTasks(SERVICE).get(0).taskArn();
    }

    @Test
    void aSpotInterruptionSignalsTheTaskAndTheServiceReplacesIt() {
        String arn = runningTask(EcsEmulatorFixture.start(4, EcsEmulatorFixture.idleRunner()), 2);
        fx.ecs.updateTaskProtection(r -> r.cluster(CLUSTER).tasks(arn).protectionEnabled(true).expiresInMinutes(60));

        assertThat(fx.emulator.interrupt(arn, Interruption.SPOT_INTERRUPTION)).contains(true);

        // The idle worker exits on the signal (143), long before its 2 s stopTimeout.
        EcsEmulatorFixture.eventually().until(() -> fx.task(arn).lastStatus().equals("STOPPED"));
        Task stopped = fx.task(arn);
        assertThat(stopped.stopCodeAsString()).isEqualTo("SpotInterruption");
        assertThat(stopped.stoppedReason()).isEqualTo("Your Spot Task was interrupted.");
        assertThat(stopped.desiredStatus()).isEqualTo("STOPPED");
        assertThat(stopped.stoppingAt()).isNotNull();
        assertThat(stopped.stoppedAt()).isNotNull().isAfterOrEqualTo(stopped.stoppingAt());
        assertThat(stopped.containers().get(0).exitCode()).as("exited on SIGTERM").isEqualTo(143);
        fx.awaitCounts(SERVICE, 2, 0);
        assertThat(fx.activeTasks(SERVICE)).extracting(Task::taskArn).doesNotContain(arn).hasSize(2);
        assertThat(fx.ecs.listTasks(r -> r.cluster(CLUSTER).serviceName(SERVICE).desiredStatus(DesiredStatus.STOPPED))
                .taskArns()).containsExactly(arn);
        assertThat(fx.emulator.stats().snapshot().taskDeaths()).isEqualTo(1);
    }

    @Test
    void aWorkerThatIgnoresTheSignalIsKilledAfterStopTimeout() {
        ThreadTaskRunner deaf = new ThreadTaskRunner(launch -> {
            Instant until = Instant.now().plusSeconds(60);
            while (Instant.now().isBefore(until)) {
                try {
                    Thread.sleep(50);
                } catch (InterruptedException ignored) {
                    // deaf to SIGTERM: only the kill ends it
                }
            }
            return 0;
        });
        String arn = runningTask(EcsEmulatorFixture.start(4, deaf), 1);

        assertThat(fx.emulator.interrupt(arn, Interruption.TERMINATION_NOTICE)).contains(true);

        Task stopping = fx.task(arn);
        assertThat(stopping.lastStatus()).isEqualTo("STOPPING");
        assertThat(stopping.stopCodeAsString()).isEqualTo("TerminationNotice");
        assertThat(stopping.stoppedAt()).isNull();
        EcsEmulatorFixture.eventually().until(() -> fx.task(arn).lastStatus().equals("STOPPED"));
        Task killed = fx.task(arn);
        assertThat(Duration.between(killed.stoppingAt(), killed.stoppedAt())).isGreaterThanOrEqualTo(Duration.ofSeconds(1));
        assertThat(killed.containers().get(0).exitCode()).as("SIGKILL").isEqualTo(137);
        assertThat(killed.stoppedReason()).contains("retired");
    }

    @Test
    void anOutOfMemoryKillIsImmediateWithTheContainersReason() {
        String arn = runningTask(EcsEmulatorFixture.start(4, EcsEmulatorFixture.idleRunner()), 30);

        assertThat(fx.emulator.interrupt(arn, Interruption.OUT_OF_MEMORY)).contains(true);

        Task dead = fx.task(arn);
        assertThat(dead.lastStatus()).isEqualTo("STOPPED");
        assertThat(dead.stopCodeAsString()).isEqualTo("EssentialContainerExited");
        assertThat(dead.stoppedReason()).isEqualTo("Essential container in task exited");
        assertThat(dead.containers().get(0).exitCode()).isEqualTo(137);
        assertThat(dead.containers().get(0).reason()).startsWith("OutOfMemoryError");
        fx.awaitCounts(SERVICE, 2, 0);
    }

    @Test
    void aTaskAlreadyStoppingKeepsItsFirstStopAndAnUnknownTaskIsNotFound() {
        String arn = runningTask(EcsEmulatorFixture.start(4, EcsEmulatorFixture.idleRunner()), 30);
        fx.ecs.stopTask(r -> r.cluster(CLUSTER).task(arn).reason("operator"));

        assertThat(fx.emulator.interrupt(arn, Interruption.SPOT_INTERRUPTION)).contains(false);
        assertThat(fx.task(arn).stopCodeAsString()).isEqualTo("UserInitiated");
        assertThat(fx.emulator.interrupt("nosuchtask", Interruption.SPOT_INTERRUPTION)).isEqualTo(Optional.empty());
        assertThat(Interruption.of("outofmemory")).isEqualTo(Interruption.OUT_OF_MEMORY);
        assertThat(List.of(Interruption.values())).extracting(Interruption::wireName)
                .containsExactly("SpotInterruption", "TerminationNotice", "OutOfMemory");
    }
}
