package io.coscale.local.task;

import static io.coscale.local.ecs.EcsEmulatorFixture.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.coscale.local.ecs.EcsEmulatorFixture;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ecs.model.Task;

/** In-JVM tasks: exit codes as a container would report them, and the kill of a worker deaf to its stop signal. */
class ThreadTaskRunnerTest {

    private static final TaskLaunch LAUNCH = new TaskLaunch("arn:aws:ecs:us-east-1:0:task/c/abcdef0123", Map.of(),
            JobTracker.NONE);

    @Test
    void exitCodes() throws Exception {
        assertEquals(0, exitOf(launch -> 0, false));
        assertEquals(5, exitOf(launch -> 5, false));
        assertEquals(1, exitOf(launch -> {
            throw new IllegalStateException("boom");
        }, false));
        assertEquals(143, exitOf(launch -> {
            new CountDownLatch(1).await();
            return 0;
        }, true));
    }

    @Test
    void killReportsExitCode137ExactlyOnce() {
        List<Integer> exits = new CopyOnWriteArrayList<>();
        CountDownLatch release = new CountDownLatch(1);
        TaskProcess process = new ThreadTaskRunner(launch -> {
            release.await();
            return 0;
        }).start(LAUNCH, exits::add);

        process.kill();
        process.kill();

        eventually().until(() -> !exits.isEmpty());
        assertEquals(List.of(137), exits);
    }

    @Test
    void workerIgnoringItsStopSignalIsKilledAfterStopTimeout() {
        try (EcsEmulatorFixture fx = EcsEmulatorFixture.start(2, new ThreadTaskRunner(launch -> {
            CountDownLatch never = new CountDownLatch(1);
            while (true) {
                try {
                    never.await();
                } catch (InterruptedException deaf) {
                    // keeps working, as a worker that ignores SIGTERM does
                }
            }
        }))) {
            fx.setUpCluster(1, Map.of());
            fx.createService("svc", 1);
            fx.awaitCounts("svc", 1, 0);
            String arn = fx.activeTasks("svc").get(0).taskArn();

            fx.setDesiredCount("svc", 0);

            eventually().until(() -> fx.task(arn).lastStatus().equals("STOPPED"));
            Task task = fx.task(arn);
            assertEquals(137, task.containers().get(0).exitCode());
            assertTrue(Duration.between(task.stoppingAt(), task.stoppedAt()).compareTo(Duration.ofMillis(900)) >= 0);
        }
    }

    private static int exitOf(InJvmWorker worker, boolean signal) throws Exception {
        CompletableFuture<Integer> exit = new CompletableFuture<>();
        TaskProcess process = new ThreadTaskRunner(worker).start(LAUNCH, exit::complete);
        if (signal) {
            process.signalStop();
        }
        return exit.get(5, java.util.concurrent.TimeUnit.SECONDS);
    }
}
