package io.coscale.local.ecs;

import static io.coscale.local.ecs.EcsEmulatorFixture.CLUSTER;
import static io.coscale.local.ecs.EcsEmulatorFixture.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ecs.model.Task;

/** The scheduler runs tasks up to the cluster's capacity and keeps the rest PENDING until room frees. */
class CapacityTest {

    private static final String SERVICE = "svc";

    private EcsEmulatorFixture fx;

    @BeforeEach
    void start() {
        fx = EcsEmulatorFixture.start(2, EcsEmulatorFixture.idleRunner());
        fx.setUpCluster(2, Map.of());
        fx.createService(SERVICE, 0);
    }

    @AfterEach
    void stop() {
        fx.close();
    }

    @Test
    void desiredCountPastCapacityLeavesTheRestPending() {
        fx.setDesiredCount(SERVICE, 4);

        fx.awaitCounts(SERVICE, 2, 2);
        List<Task> tasks = fx.activeTasks(SERVICE);
        assertEquals(4, tasks.size());
        assertEquals(Map.of("RUNNING", 2L, "PENDING", 2L),
                tasks.stream().collect(Collectors.groupingBy(Task::lastStatus, Collectors.counting())));
        assertEquals(4, fx.service(SERVICE).desiredCount());
    }

    @Test
    void pendingTaskStartsWhenARunningOneIsStopped() {
        fx.setDesiredCount(SERVICE, 4);
        fx.awaitCounts(SERVICE, 2, 2);
        List<Task> tasks = fx.activeTasks(SERVICE);
        Set<String> pending = arns(tasks, "PENDING");
        String running = arns(tasks, "RUNNING").iterator().next();

        fx.ecs.stopTask(r -> r.cluster(CLUSTER).task(running).reason("make room"));

        eventually().until(() -> fx.tasks(pending.toArray(String[]::new)).stream()
                .anyMatch(t -> t.lastStatus().equals("RUNNING")));
        Task stopped = fx.task(running);
        assertEquals("STOPPED", stopped.lastStatus());
        assertEquals("make room", stopped.stoppedReason());
        // The service replaces the stopped task, which waits for room again.
        fx.awaitCounts(SERVICE, 2, 2);
    }

    @Test
    void loweringDesiredCountLetsPendingTasksRunAsRoomFrees() {
        fx.setDesiredCount(SERVICE, 4);
        fx.awaitCounts(SERVICE, 2, 2);

        fx.setDesiredCount(SERVICE, 2);

        fx.awaitCounts(SERVICE, 2, 0);
        assertEquals(2, fx.activeTasks(SERVICE).size());
    }

    @Test
    void scaleToZeroStopsEverything() {
        fx.setDesiredCount(SERVICE, 3);
        fx.awaitCounts(SERVICE, 2, 1);

        fx.setDesiredCount(SERVICE, 0);

        fx.awaitCounts(SERVICE, 0, 0);
        assertTrue(fx.activeTasks(SERVICE).isEmpty());
        eventually().until(() -> fx.ecs.listTasks(r -> r.cluster(CLUSTER).desiredStatus("STOPPED")).taskArns().stream()
                .allMatch(arn -> fx.task(arn).lastStatus().equals("STOPPED")));
    }

    private static Set<String> arns(List<Task> tasks, String lastStatus) {
        return tasks.stream().filter(t -> t.lastStatus().equals(lastStatus)).map(Task::taskArn).collect(Collectors.toSet());
    }
}
