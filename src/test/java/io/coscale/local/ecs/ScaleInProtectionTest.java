package io.coscale.local.ecs;

import static io.coscale.local.ecs.EcsEmulatorFixture.CLUSTER;
import static io.coscale.local.ecs.EcsEmulatorFixture.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ecs.model.ProtectedTask;
import software.amazon.awssdk.services.ecs.model.Task;
import software.amazon.awssdk.services.ecs.model.TaskStopCode;
import software.amazon.awssdk.services.ecs.model.UpdateTaskProtectionResponse;

/** Scale-in picks its victims among unprotected tasks only; protection can be lifted and read back. */
class ScaleInProtectionTest {

    private static final String SERVICE = "svc";

    private EcsEmulatorFixture fx;
    private List<String> arns;

    @BeforeEach
    void start() {
        fx = EcsEmulatorFixture.start(4, EcsEmulatorFixture.idleRunner());
        fx.setUpCluster(1, Map.of());
        fx.createService(SERVICE, 4);
        fx.awaitCounts(SERVICE, 4, 0);
        arns = fx.activeTasks(SERVICE).stream().map(Task::taskArn).toList();
    }

    @AfterEach
    void stop() {
        fx.close();
    }

    @Test
    void onlyUnprotectedTasksAreStopped() {
        List<String> kept = arns.subList(0, 2);
        List<String> exposed = arns.subList(2, 4);
        UpdateTaskProtectionResponse protection = protect(kept, true);
        assertEquals(2, protection.protectedTasks().size());
        assertTrue(protection.failures().isEmpty());

        fx.setDesiredCount(SERVICE, 1);

        eventually().until(() -> fx.tasks(exposed.toArray(String[]::new)).stream()
                .allMatch(t -> t.lastStatus().equals("STOPPED")));
        for (Task t : fx.tasks(exposed.toArray(String[]::new))) {
            assertEquals("STOPPED", t.desiredStatus());
            assertTrue(t.stoppedReason().startsWith("Scaling activity initiated by"), t.stoppedReason());
            assertEquals(TaskStopCode.SERVICE_SCHEDULER_INITIATED, t.stopCode());
        }
        // Desired 1 but both protected tasks survive: ECS waits for protection to lapse.
        assertEquals(Set.copyOf(kept), activeArns());
        for (Task t : fx.tasks(kept.toArray(String[]::new))) {
            assertEquals("RUNNING", t.lastStatus());
        }
        assertEquals(2, fx.service(SERVICE).runningCount());
    }

    @Test
    void liftingProtectionLetsTheSurplusTaskStop() {
        List<String> kept = arns.subList(0, 2);
        protect(kept, true);
        fx.setDesiredCount(SERVICE, 1);
        eventually().until(() -> activeArns().equals(Set.copyOf(kept)));

        protect(List.of(kept.get(0)), false);

        eventually().until(() -> fx.task(kept.get(0)).lastStatus().equals("STOPPED"));
        assertTrue(fx.task(kept.get(0)).stoppedReason().startsWith("Scaling activity"));
        assertEquals("RUNNING", fx.task(kept.get(1)).lastStatus());
        fx.awaitCounts(SERVICE, 1, 0);
    }

    @Test
    void getTaskProtectionReflectsTheState() {
        Instant before = Instant.now();
        protect(List.of(arns.get(0)), true, 5);
        protect(List.of(arns.get(1)), true, 5);
        protect(List.of(arns.get(1)), false, 5);

        List<ProtectedTask> got = fx.ecs.getTaskProtection(r -> r.cluster(CLUSTER).tasks(arns.get(0), arns.get(1)))
                .protectedTasks();

        ProtectedTask on = got.stream().filter(p -> p.taskArn().equals(arns.get(0))).findFirst().orElseThrow();
        ProtectedTask off = got.stream().filter(p -> p.taskArn().equals(arns.get(1))).findFirst().orElseThrow();
        assertTrue(on.protectionEnabled());
        assertNotNull(on.expirationDate());
        Duration left = Duration.between(before, on.expirationDate());
        assertTrue(left.compareTo(Duration.ofMinutes(4)) > 0 && left.compareTo(Duration.ofMinutes(6)) < 0, left.toString());
        assertFalse(off.protectionEnabled());
        assertNull(off.expirationDate());
    }

    @Test
    void stopTaskIgnoresProtection() {
        protect(List.of(arns.get(0)), true);

        fx.ecs.stopTask(r -> r.cluster(CLUSTER).task(arns.get(0)));

        eventually().until(() -> fx.task(arns.get(0)).lastStatus().equals("STOPPED"));
        assertEquals(TaskStopCode.USER_INITIATED, fx.task(arns.get(0)).stopCode());
        assertFalse(fx.ecs.getTaskProtection(r -> r.cluster(CLUSTER).tasks(arns.get(0))).protectedTasks().get(0)
                .protectionEnabled());
    }

    @Test
    void protectingAStoppedTaskFails() {
        fx.setDesiredCount(SERVICE, 3);
        eventually().until(() -> activeArns().size() == 3);
        String gone = arns.stream().filter(a -> !activeArns().contains(a)).findFirst().orElseThrow();

        UpdateTaskProtectionResponse response = protect(List.of(gone), true);

        assertTrue(response.protectedTasks().isEmpty());
        assertEquals("TASK_NOT_VALID", response.failures().get(0).reason());
    }

    private UpdateTaskProtectionResponse protect(List<String> tasks, boolean enabled) {
        return protect(tasks, enabled, 60);
    }

    private UpdateTaskProtectionResponse protect(List<String> tasks, boolean enabled, int minutes) {
        return fx.ecs.updateTaskProtection(r -> r.cluster(CLUSTER).tasks(tasks).protectionEnabled(enabled)
                .expiresInMinutes(minutes));
    }

    private Set<String> activeArns() {
        return fx.activeTasks(SERVICE).stream().map(Task::taskArn).collect(Collectors.toSet());
    }
}
