package io.coscale.local.task;

import static io.coscale.local.ecs.EcsEmulatorFixture.CLUSTER;
import static io.coscale.local.ecs.EcsEmulatorFixture.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.coscale.local.ecs.EcsEmulatorFixture;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.ecs.model.Task;
import software.amazon.awssdk.services.ecs.model.TaskStopCode;

/** Tasks as OS processes: SIGTERM on scale-in, SIGKILL after stopTimeout, and exits of their own. */
class ProcessTaskRunnerTest {

    private static final String SERVICE = "svc";

    @TempDir
    Path dir;

    private EcsEmulatorFixture fx;

    @AfterEach
    void stop() {
        if (fx != null) {
            fx.close();
        }
    }

    @Test
    void workerIgnoringTermIsKilledAfterStopTimeout() throws Exception {
        Path marker = dir.resolve("got-term");
        String arn = startOne("trap 'touch \"$MARKER\"' TERM; while true; do sleep 0.05; done", 1, marker);

        fx.setDesiredCount(SERVICE, 0);

        eventually().until(() -> Files.exists(marker));
        eventually().until(() -> fx.task(arn).lastStatus().equals("STOPPED"));
        Task task = fx.task(arn);
        assertEquals(137, task.containers().get(0).exitCode());
        assertEquals(TaskStopCode.SERVICE_SCHEDULER_INITIATED, task.stopCode());
        Duration grace = Duration.between(task.stoppingAt(), task.stoppedAt());
        assertTrue(grace.compareTo(Duration.ofMillis(900)) >= 0, "killed after only " + grace);
    }

    @Test
    void workerExitingOnTermStopsPromptlyWithItsOwnCode() throws Exception {
        Path marker = dir.resolve("got-term");
        String arn = startOne("trap 'touch \"$MARKER\"; exit 7' TERM; while true; do sleep 0.05; done", 30, marker);

        fx.setDesiredCount(SERVICE, 0);

        eventually().until(() -> fx.task(arn).lastStatus().equals("STOPPED"));
        Task task = fx.task(arn);
        assertTrue(Files.exists(marker));
        assertEquals(7, task.containers().get(0).exitCode());
        // Stopped when it exited, not when its 30-second stop timeout ran out (a kill would have come then).
        assertTrue(Duration.between(task.stoppingAt(), task.stoppedAt()).compareTo(Duration.ofSeconds(30)) < 0);
    }

    @Test
    void killEndsTheWholeProcessTreeLikeAContainer() throws Exception {
        Path marker = dir.resolve("child-pid");
        // bash ignores TERM and waits on a child, as a shell wrapper around a real worker does.
        String arn = startOne("trap '' TERM; sh -c 'echo $$ > \"$MARKER\"; exec sleep 300'; echo unreachable", 1, marker);
        eventually().until(() -> Files.exists(marker) && !Files.readString(marker).isBlank());
        long child = Long.parseLong(Files.readString(marker).trim());

        fx.setDesiredCount(SERVICE, 0);

        eventually().until(() -> fx.task(arn).lastStatus().equals("STOPPED"));
        assertEquals(137, fx.task(arn).containers().get(0).exitCode());
        eventually().until(() -> ProcessHandle.of(child).map(p -> !p.isAlive()).orElse(true));
    }

    @Test
    void processExitingByItselfIsReplaced() {
        start("exit 0", 2, dir.resolve("unused"));
        fx.createService(SERVICE, 1);

        eventually().until(() -> stopped().size() >= 2);

        Task first = fx.task(stopped().get(0));
        assertEquals("STOPPED", first.lastStatus());
        assertEquals(TaskStopCode.ESSENTIAL_CONTAINER_EXITED, first.stopCode());
        assertEquals("Essential container in task exited", first.stoppedReason());
        assertEquals(0, first.containers().get(0).exitCode());
        assertNotEquals(stopped().get(0), stopped().get(1));
        assertTrue(fx.emulator.stats().snapshot().tasksStarted() >= 2);
        assertEquals(1, fx.service(SERVICE).desiredCount());
    }

    @Test
    void failingProcessReportsItsExitCode() {
        start("exit 3", 2, dir.resolve("unused"));
        fx.createService(SERVICE, 1);

        eventually().until(() -> !stopped().isEmpty());

        Task task = fx.task(stopped().get(0));
        assertEquals(3, task.containers().get(0).exitCode());
        assertFalse(task.stoppedReason().isEmpty());
    }

    private String startOne(String command, int stopTimeout, Path marker) {
        start(command, stopTimeout, marker);
        fx.createService(SERVICE, 1);
        fx.awaitCounts(SERVICE, 1, 0);
        return fx.activeTasks(SERVICE).get(0).taskArn();
    }

    private void start(String command, int stopTimeout, Path marker) {
        fx = EcsEmulatorFixture.start(2, new ProcessTaskRunner(command));
        fx.setUpCluster(stopTimeout, Map.of("MARKER", marker.toString()));
    }

    private List<String> stopped() {
        return fx.ecs.listTasks(r -> r.cluster(CLUSTER).serviceName(SERVICE).desiredStatus("STOPPED")).taskArns().stream()
                .filter(arn -> fx.task(arn).lastStatus().equals("STOPPED"))
                .toList();
    }
}
