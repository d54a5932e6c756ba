package io.coscale.local.task;

import static io.coscale.local.ecs.EcsEmulatorFixture.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.coscale.local.ecs.EcsEmulatorFixture;
import io.coscale.local.ecs.EmulatorStats;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Job counters as workers report them through the seam: in-JVM calls and the POST /v4/<id>/jobs route. */
class JobTrackingTest {

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
    void scaleInOfABusyTaskCountsItAndItsInterruptedJob() {
        CountDownLatch started = new CountDownLatch(1);
        run(new ThreadTaskRunner(launch -> {
            launch.jobs().jobStarted();
            started.countDown();
            new CountDownLatch(1).await();
            return 0;
        }), Map.of());
        eventually().until(() -> started.getCount() == 0);

        fx.setDesiredCount(SERVICE, 0);

        eventually().until(() -> stats().jobsInterrupted() == 1);
        assertEquals(1, stats().tasksStoppedWhileBusy());
        assertEquals(0, stats().jobsCompleted());
    }

    @Test
    void completedAndFailedJobsAreCountedAndLeaveTheTaskIdle() {
        run(new ThreadTaskRunner(launch -> {
            launch.jobs().jobStarted();
            launch.jobs().jobCompleted();
            launch.jobs().jobStarted();
            launch.jobs().jobFailed();
            new CountDownLatch(1).await();
            return 0;
        }), Map.of());
        eventually().until(() -> stats().jobsCompleted() == 1 && stats().jobsFailed() == 1);

        fx.setDesiredCount(SERVICE, 0);

        eventually().until(() -> stats().tasksStopped() == 1);
        assertEquals(0, stats().tasksStoppedWhileBusy());
        assertEquals(0, stats().jobsInterrupted());
    }

    @Test
    void processReportsJobsOverHttp() {
        Path marker = dir.resolve("posted");
        run(new ProcessTaskRunner("trap 'exit 0' TERM; "
                + "curl -sf -X POST -d '{\"event\":\"started\"}' \"$ECS_CONTAINER_METADATA_URI_V4/jobs\" && touch \"$MARKER\"; "
                + "while true; do sleep 0.05; done"), Map.of("MARKER", marker.toString()));
        eventually().until(() -> Files.exists(marker));

        fx.setDesiredCount(SERVICE, 0);

        eventually().until(() -> stats().jobsInterrupted() == 1);
        assertEquals(1, stats().tasksStoppedWhileBusy());
    }

    @Test
    void processCompletesAJobOverHttp() {
        run(new ProcessTaskRunner("for e in started completed; do "
                + "curl -sf -X POST -d \"{\\\"event\\\":\\\"$e\\\"}\" \"$ECS_CONTAINER_METADATA_URI_V4/jobs\"; done; "
                + "trap 'exit 0' TERM; while true; do sleep 0.05; done"), Map.of());

        eventually().until(() -> stats().jobsCompleted() == 1);
    }

    @Test
    void jobsRouteRejectsUnknownEventsAndTasks() throws Exception {
        CountDownLatch running = new CountDownLatch(1);
        String[] uri = new String[1];
        run(new ThreadTaskRunner(launch -> {
            uri[0] = launch.environment().get("ECS_CONTAINER_METADATA_URI_V4");
            running.countDown();
            new CountDownLatch(1).await();
            return 0;
        }), Map.of());
        eventually().until(() -> running.getCount() == 0);

        assertEquals(400, post(uri[0] + "/jobs", "{\"event\":\"bogus\"}"));
        assertEquals(404, post(fx.emulator.endpoint() + "/v4/nosuchtask/jobs", "{\"event\":\"started\"}"));
        assertEquals(204, post(uri[0] + "/jobs", "{\"event\":\"failed\"}"));
        assertEquals(1, stats().jobsFailed());
    }

    private void run(TaskRunner runner, Map<String, String> environment) {
        fx = EcsEmulatorFixture.start(2, runner);
        fx.setUpCluster(2, environment);
        fx.createService(SERVICE, 1);
    }

    private EmulatorStats.Snapshot stats() {
        return fx.emulator.stats().snapshot();
    }

    private static int post(String uri, String body) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(uri))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }
}
