package io.coscale.local.task;

import static io.coscale.local.ecs.EcsEmulatorFixture.CLUSTER;
import static io.coscale.local.ecs.EcsEmulatorFixture.eventually;
import static org.assertj.core.api.Assertions.assertThat;
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
import software.amazon.awssdk.services.ecs.model.DesiredStatus;
import software.amazon.awssdk.services.ecs.model.Task;

/**
 * Message counters as workers report them through the seam (in-JVM calls and the POST /v4/<id>/jobs route),
 * and the busy counters they feed: a task is busy from the receive, not from the claim.
 */
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
    void aTaskStoppedByScaleInAfterAReceiveButBeforeAnyClaimWasStoppedBusy() {
        CountDownLatch received = new CountDownLatch(1);
        run(new ThreadTaskRunner(launch -> {
            launch.jobs().received(); // no claim: coscale does not know this task is busy
            received.countDown();
            new CountDownLatch(1).await();
            return 0;
        }), Map.of());
        eventually().until(() -> received.getCount() == 0);

        fx.setDesiredCount(SERVICE, 0);

        eventually().until(() -> stats().tasksStopped() == 1);
        assertEquals(1, stats().tasksStoppedWhileBusy());
        assertEquals(1, stats().tasksStoppedByScaleIn());
        assertEquals(1, stats().jobsInterrupted());
        assertEquals(0, stats().jobsCompleted());
    }

    @Test
    void anIdleTaskStoppedByScaleInIsNotBusyAndEveryMessageHasItsFate() {
        run(new ThreadTaskRunner(launch -> {
            launch.jobs().received();
            launch.jobs().deleted();
            launch.jobs().received();
            launch.jobs().failed();
            launch.jobs().received();
            launch.jobs().returned();
            launch.jobs().deleted(); // nothing held: ignored, the held count does not go negative
            new CountDownLatch(1).await();
            return 0;
        }), Map.of());
        eventually().until(() -> stats().jobsReturned() == 1);

        fx.setDesiredCount(SERVICE, 0);

        eventually().until(() -> stats().tasksStopped() == 1);
        EmulatorStats.Snapshot s = stats();
        assertThat(new long[] {s.jobsReceived(), s.jobsCompleted(), s.jobsFailed(), s.jobsReturned(), s.jobsInterrupted()})
                .containsExactly(3, 1, 1, 1, 0);
        assertEquals(0, s.tasksStoppedWhileBusy());
        assertEquals(1, s.tasksStoppedByScaleIn());
    }

    @Test
    void aTaskThatGivesItsMessageBackOnTheStopSignalWasStillStoppedBusy() {
        CountDownLatch received = new CountDownLatch(1);
        run(new ThreadTaskRunner(launch -> {
            launch.jobs().received();
            launch.jobs().received();
            launch.jobs().deleted();
            received.countDown();
            try {
                new CountDownLatch(1).await();
            } catch (InterruptedException stopSignal) {
                launch.jobs().returned();
            }
            return 0;
        }), Map.of());
        eventually().until(() -> received.getCount() == 0);

        fx.setDesiredCount(SERVICE, 0);

        eventually().until(() -> stats().tasksStopped() == 1);
        assertEquals(1, stats().tasksStoppedWhileBusy());
        assertEquals(1, stats().jobsReturned());
        assertEquals(0, stats().jobsInterrupted());
    }

    @Test
    void aReceiveByATaskWithoutScaleInProtectionIsCountedUnprotected() {
        CountDownLatch claimed = new CountDownLatch(1);
        run(new ThreadTaskRunner(launch -> {
            launch.jobs().received(); // before any claim: ECS does not protect the task
            launch.jobs().deleted();
            claimed.await();
            launch.jobs().received();
            launch.jobs().deleted();
            new CountDownLatch(1).await();
            return 0;
        }), Map.of());
        eventually().until(() -> stats().jobsCompleted() == 1);
        String arn = fx.activeTasks(SERVICE).get(0).taskArn();

        // What coscale does for a claim in protect mode, before it answers.
        fx.ecs.updateTaskProtection(r -> r.cluster(CLUSTER).tasks(arn).protectionEnabled(true).expiresInMinutes(60));
        claimed.countDown();

        eventually().until(() -> stats().jobsCompleted() == 2);
        assertEquals(2, stats().jobsReceived());
        assertEquals(1, stats().jobsReceivedUnprotected());
    }

    @Test
    void stopTaskOfABusyTaskCountsOnlyAsAStopTaskWhileBusy() {
        CountDownLatch received = new CountDownLatch(1);
        run(new ThreadTaskRunner(launch -> {
            launch.jobs().received();
            received.countDown();
            new CountDownLatch(1).await();
            return 0;
        }), Map.of());
        eventually().until(() -> received.getCount() == 0);
        String arn = fx.activeTasks(SERVICE).get(0).taskArn();

        fx.ecs.stopTask(r -> r.cluster(CLUSTER).task(arn).reason("operator"));

        eventually().until(() -> stats().tasksStopped() == 1);
        EmulatorStats.Snapshot s = stats();
        assertEquals(1, s.tasksStoppedByStopTask());
        assertEquals(1, s.tasksStoppedByStopTaskWhileBusy());
        assertEquals(0, s.tasksStoppedWhileBusy());
        assertEquals(0, s.tasksStoppedByScaleIn());
        assertEquals(1, s.jobsInterrupted());
    }

    @Test
    void aPendingTaskStoppedSaysSoAndWasNeverStarted() {
        fx = EcsEmulatorFixture.start(0, EcsEmulatorFixture.idleRunner()); // no room: the task stays PENDING
        fx.setUpCluster(2, Map.of());
        fx.createService(SERVICE, 1);
        eventually().until(() -> stats().tasksPlaced() == 1);

        fx.setDesiredCount(SERVICE, 0);

        eventually().until(() -> stats().tasksStopped() == 1);
        EmulatorStats.Snapshot s = stats();
        assertEquals(1, s.tasksStoppedBeforeStart());
        assertEquals(1, s.tasksStoppedByScaleIn());
        assertEquals(0, s.tasksStarted());
        String arn = fx.ecs.listTasks(r -> r.cluster(CLUSTER).desiredStatus(DesiredStatus.STOPPED)).taskArns().get(0);
        Task task = fx.task(arn);
        assertEquals("STOPPED", task.lastStatus());
        assertEquals("ServiceSchedulerInitiated", task.stopCodeAsString());
        assertThat(task.stoppedReason()).startsWith("Scaling activity initiated by");
        assertThat(task.startedAt()).isNull();
        assertThat(task.stoppedAt()).isNotNull();
    }

    @Test
    void aProcessTaskIsBusyFromTheReceiveItPostsAndStoppingItCountsIt() {
        Path marker = dir.resolve("posted");
        run(new ProcessTaskRunner("trap 'exit 0' TERM; "
                + "curl -sf -X POST -d '{\"event\":\"received\"}' \"$ECS_CONTAINER_METADATA_URI_V4/jobs\" && touch \"$MARKER\"; "
                + "while true; do sleep 0.05; done"), Map.of("MARKER", marker.toString()));
        eventually().until(() -> Files.exists(marker));

        fx.setDesiredCount(SERVICE, 0);

        eventually().until(() -> stats().jobsInterrupted() == 1);
        assertEquals(1, stats().tasksStoppedWhileBusy());
    }

    @Test
    void aProcessReportsEveryFateOverHttp() {
        run(new ProcessTaskRunner("for e in received received received deleted failed returned; do "
                + "curl -sf -X POST -d \"{\\\"event\\\":\\\"$e\\\"}\" \"$ECS_CONTAINER_METADATA_URI_V4/jobs\"; done; "
                + "trap 'exit 0' TERM; while true; do sleep 0.05; done"), Map.of());

        eventually().until(() -> stats().jobsReturned() == 1);
        EmulatorStats.Snapshot s = stats();
        assertThat(new long[] {s.jobsReceived(), s.jobsCompleted(), s.jobsFailed(), s.jobsReturned()})
                .containsExactly(3, 1, 1, 1);
    }

    @Test
    void theOldEventNamesStillMeanReceivedAndDeleted() {
        run(new ProcessTaskRunner("for e in started completed; do "
                + "curl -sf -X POST -d \"{\\\"event\\\":\\\"$e\\\"}\" \"$ECS_CONTAINER_METADATA_URI_V4/jobs\"; done; "
                + "trap 'exit 0' TERM; while true; do sleep 0.05; done"), Map.of());

        eventually().until(() -> stats().jobsCompleted() == 1);
        assertEquals(1, stats().jobsReceived());
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
        assertEquals(400, post(uri[0] + "/jobs", "{}"));
        assertEquals(404, post(fx.emulator.endpoint() + "/v4/nosuchtask/jobs", "{\"event\":\"received\"}"));
        assertEquals(204, post(uri[0] + "/jobs", "{\"event\":\"failed\"}"));
        assertEquals(0, stats().jobsFailed()); // nothing was held
        assertEquals(204, post(uri[0] + "/jobs", "{\"event\":\"received\"}"));
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
