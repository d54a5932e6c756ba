package io.coscale.local.ecs;

import static io.coscale.local.ecs.EcsEmulatorFixture.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import io.coscale.local.task.ThreadTaskRunner;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ecs.model.Task;

/**
 * ECS hears of a container's exit late: until then the task is RUNNING to it and counts toward the service,
 * so a scale-in in that window may stop another task instead — the race the cooperative pattern loses.
 */
class ExitReportDelayTest {

    private static final CountDownLatch FOREVER = new CountDownLatch(1);

    @Test
    void anExitedTaskStaysRunningUntilEcsHearsOfIt() {
        // Each task's first job decides: the first task started exits at once, the others idle.
        java.util.concurrent.atomic.AtomicBoolean first = new java.util.concurrent.atomic.AtomicBoolean(true);
        ThreadTaskRunner runner = new ThreadTaskRunner(launch -> {
            if (first.getAndSet(false)) {
                return 0;
            }
            FOREVER.await();
            return 0;
        });
        try (EcsEmulatorFixture f = EcsEmulatorFixture.start(new EcsEmulator.Options(4, Duration.ofMillis(50),
                Duration.ofMillis(20), runner, Map.of(), Duration.ofSeconds(2)))) {
            f.setUpCluster(1, Map.of());
            f.createService("svc", 1);
            f.awaitCounts("svc", 1, 0);
            Task exited = f.activeTasks("svc").get(0);

            // Its workload is gone, but ECS still lists it RUNNING for the report delay.
            assertThat(f.task(exited.taskArn()).lastStatus()).isEqualTo("RUNNING");
            eventually().until(() -> f.task(exited.taskArn()).lastStatus().equals("STOPPED"));
            Task stopped = f.task(exited.taskArn());
            assertThat(stopped.stopCode().toString()).isEqualTo("EssentialContainerExited");
            assertThat(stopped.containers().get(0).exitCode()).isZero();
            // The service wanted one task: a replacement takes its place.
            f.awaitCounts("svc", 1, 0);
        }
    }
}
