package io.coscale.local.ecs;

import static io.coscale.local.ecs.EcsEmulatorFixture.CLUSTER;
import static io.coscale.local.ecs.EcsEmulatorFixture.eventually;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.coscale.aws.EcsGateway;
import io.coscale.local.task.ThreadTaskRunner;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ecs.model.DesiredStatus;
import software.amazon.awssdk.services.ecs.model.Task;

/** Injected deaths, and the sums that tie the emulator's counters together through a busy scenario. */
class StopAccountingTest {

    private static final String SERVICE = "svc";

    /** Messages each task's worker holds now, by task ARN, as the worker itself knows them. */
    private final Map<String, AtomicInteger> held = new ConcurrentHashMap<>();
    private EcsEmulatorFixture fx;

    @AfterEach
    void stop() {
        if (fx != null) {
            fx.close();
        }
    }

    @Test
    void anInjectedDeathKillsTheTaskAtOnceAndCountsItBusy() {
        start(2, 1);
        eventually().until(() -> stats().jobsReceived() == 2);
        Task task = fx.activeTasks(SERVICE).get(0);

        assertThat(fx.emulator.injectDeath(EcsState.lastSegment(task.taskArn()))).isTrue();

        Task dead = fx.task(task.taskArn()); // STOPPED now, not after a stop timeout
        assertEquals("STOPPED", dead.lastStatus());
        assertEquals("EssentialContainerExited", dead.stopCodeAsString());
        assertEquals("Essential container in task exited (injected death)", dead.stoppedReason());
        assertEquals(137, dead.containers().get(0).exitCode());
        EmulatorStats.Snapshot s = stats();
        assertEquals(1, s.taskDeaths());
        assertEquals(1, s.taskDeathsWhileBusy());
        assertEquals(0, s.tasksStoppedWhileBusy());
        assertEquals(1, s.jobsInterrupted());
        assertThat(fx.emulator.injectDeath("nosuchtask")).isFalse();
    }

    @Test
    void workloadsThatEndByThemselvesAreCountedCleanOrFailedByTheirExitCode() {
        AtomicInteger launches = new AtomicInteger();
        fx = EcsEmulatorFixture.start(2, new ThreadTaskRunner(launch -> launches.incrementAndGet() == 1 ? 0 : 1));
        fx.setUpCluster(2, Map.of());
        fx.createService(SERVICE, 2);

        eventually().until(() -> stats().workerExitsClean() == 1 && stats().workerExitsFailed() >= 1);

        fx.setDesiredCount(SERVICE, 0);
        eventually().until(() -> fx.activeTasks(SERVICE).isEmpty());
        EmulatorStats.Snapshot s = stats();
        assertEquals(1, s.workerExitsClean());
        // Every other launch failed at once; one caught by the scale-in's stop signal first is not a failure of its own.
        assertThat(s.workerExitsFailed()).isBetween(1L, launches.get() - 1L);
    }

    @Test
    void aTaskStoppedWithCoscalesExitRecordCountsOnceHoweverItStopped() {
        fx = EcsEmulatorFixture.start(3, EcsEmulatorFixture.idleRunner());
        fx.setUpCluster(2, Map.of());
        fx.createService(SERVICE, 3);
        fx.awaitCounts(SERVICE, 3, 0);
        List<Task> tasks = fx.activeTasks(SERVICE);
        for (Task task : tasks.subList(0, 2)) { // two told to exit; the third never was
            fx.ecs.tagResource(r -> r.resourceArn(task.taskArn())
                    .tags(software.amazon.awssdk.services.ecs.model.Tag.builder().key(EcsGateway.EXIT_TAG).value("2").build()));
        }

        // The idle workloads never exit by themselves: ECS's scale-in stops them, as it may stop an exiting worker
        // before its own exit is reported.
        fx.setDesiredCount(SERVICE, 0);
        eventually().until(() -> stats().tasksStopped() == 3);

        EmulatorStats.Snapshot s = stats();
        assertEquals(2, s.exitRecordsStopped());
        assertEquals(0, s.workerExitsClean());
        assertEquals(3, s.tasksStoppedByScaleIn());
    }

    @Test
    void aPendingTaskThatDiesNeverStarted() {
        start(0, 1);
        eventually().until(() -> stats().tasksPlaced() == 1);
        String arn = fx.activeTasks(SERVICE).get(0).taskArn();

        fx.emulator.injectDeath(EcsState.lastSegment(arn));

        EmulatorStats.Snapshot s = stats();
        assertEquals(1, s.taskDeaths());
        assertEquals(0, s.taskDeathsWhileBusy());
        assertEquals(1, s.tasksStoppedBeforeStart());
        assertEquals(0, s.tasksStarted());
        assertThat(fx.task(arn).startedAt()).isNull();
    }

    @Test
    void theSumsHoldThroughDeathsStopTaskAndScaleInOfBusyTasks() {
        start(2, 3); // two RUNNING, one PENDING for want of room
        eventually().until(() -> holding() == 2 && stats().tasksPlaced() == 3);
        assertSumsHold();

        List<Task> running = fx.activeTasks(SERVICE).stream().filter(t -> t.lastStatus().equals("RUNNING")).toList();
        fx.emulator.injectDeath(EcsState.lastSegment(running.get(0).taskArn()));
        eventually().until(() -> holding() == 3 && stats().tasksPlaced() == 4);
        assertSumsHold();

        fx.ecs.stopTask(r -> r.cluster(CLUSTER).task(running.get(1).taskArn()));
        eventually().until(() -> stats().tasksStopped() == 2 && holding() == 4);
        assertSumsHold();

        fx.setDesiredCount(SERVICE, 0);
        eventually().until(() -> stats().tasksStopped() == stats().tasksPlaced());
        EmulatorStats.Snapshot s = stats();
        assertSumsHold();
        assertEquals(1, s.taskDeathsWhileBusy());
        assertEquals(1, s.tasksStoppedByStopTaskWhileBusy());
        assertEquals(2, s.tasksStoppedWhileBusy()); // the two RUNNING, each holding one message
        assertEquals(1, s.tasksStoppedBeforeStart()); // the replacement still PENDING
        assertEquals(4, s.jobsInterrupted());
    }

    /** Each task's worker receives two messages, deletes one and holds the other until it is stopped. */
    private void start(int capacity, int desiredCount) {
        fx = EcsEmulatorFixture.start(capacity, new ThreadTaskRunner(launch -> {
            AtomicInteger mine = held.computeIfAbsent(launch.taskArn(), a -> new AtomicInteger());
            launch.jobs().received();
            launch.jobs().received();
            launch.jobs().deleted();
            mine.set(1);
            new CountDownLatch(1).await();
            return 0;
        }));
        fx.setUpCluster(2, Map.of());
        fx.createService(SERVICE, desiredCount);
    }

    /** How many workers have reached their hold (stopped ones included): after that, their events are all in. */
    private long holding() {
        return held.values().stream().filter(n -> n.get() == 1).count();
    }

    /** The sums docs/LOCAL-CLOUD.md and {@link EmulatorStats} promise, checked on a settled world. */
    private void assertSumsHold() {
        List<Task> tasks = allTasks();
        EmulatorStats.Snapshot s = stats();
        List<Task> live = tasks.stream().filter(t -> !t.lastStatus().equals("STOPPED")).toList();
        long heldNow = live.stream().mapToInt(t -> held.getOrDefault(t.taskArn(), new AtomicInteger()).get()).sum();
        long startedLive = live.stream().filter(t -> t.startedAt() != null).count();
        assertEquals(s.tasksPlaced(), s.tasksStopped() + live.size(), "tasksPlaced");
        assertEquals(s.tasksStopped(), s.tasksStoppedByScaleIn() + s.tasksStoppedByDeployment()
                + s.tasksStoppedByStopTask() + s.tasksExited() + s.taskDeaths(), "tasksStopped by cause");
        assertEquals(s.tasksStarted(), s.tasksStopped() - s.tasksStoppedBeforeStart() + startedLive, "tasksStarted");
        assertEquals(s.jobsReceived(), s.jobsCompleted() + s.jobsFailed() + s.jobsReturned() + s.jobsInterrupted()
                + heldNow, "jobsReceived");
    }

    private List<Task> allTasks() {
        List<String> arns = new ArrayList<>();
        for (DesiredStatus status : List.of(DesiredStatus.RUNNING, DesiredStatus.STOPPED)) {
            arns.addAll(fx.ecs.listTasks(r -> r.cluster(CLUSTER).desiredStatus(status)).taskArns());
        }
        return arns.isEmpty() ? List.of() : fx.tasks(arns.toArray(String[]::new));
    }

    private EmulatorStats.Snapshot stats() {
        return fx.emulator.stats().snapshot();
    }
}
