package io.coscale.local.ecs;

import static io.coscale.local.ecs.EcsEmulatorFixture.CLUSTER;
import static io.coscale.local.ecs.EcsEmulatorFixture.FAMILY;
import static io.coscale.local.ecs.EcsEmulatorFixture.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.coscale.local.task.TaskLaunch;
import io.coscale.local.task.ThreadTaskRunner;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ecs.model.Task;

/** A task's environment points at its metadata endpoint v4, which describes the task as ECS does. */
class TaskMetadataTest {

    private final Map<String, TaskLaunch> launches = new ConcurrentHashMap<>();
    private final HttpClient http = HttpClient.newHttpClient();
    private final ObjectMapper json = new ObjectMapper();
    private EcsEmulatorFixture fx;

    @BeforeEach
    void start() {
        ThreadTaskRunner recording = new ThreadTaskRunner(launch -> {
            launches.put(launch.taskArn(), launch);
            new CountDownLatch(1).await();
            return 0;
        });
        fx = EcsEmulatorFixture.start(2, recording, Map.of("COSCALE_URL", "http://coscale", "QUEUE_URL", "common"));
        fx.setUpCluster(2, Map.of("QUEUE_URL", "http://queue/jobs", "MODE", "test"));
        fx.createService("svc", 1);
        eventually().until(() -> launches.size() == 1);
    }

    @AfterEach
    void stop() {
        fx.close();
    }

    @Test
    void environmentHasMetadataUriRegionAndContainerEnvironment() {
        TaskLaunch launch = launches.values().iterator().next();
        Map<String, String> env = launch.environment();

        assertEquals(fx.emulator.endpoint() + "/v4/" + launch.taskArn().substring(launch.taskArn().lastIndexOf('/') + 1),
                env.get("ECS_CONTAINER_METADATA_URI_V4"));
        assertEquals("us-east-1", env.get("AWS_REGION"));
        assertEquals("test", env.get("MODE"));
        assertEquals("http://coscale", env.get("COSCALE_URL"));
        // The task definition's own environment wins over the emulator-wide one.
        assertEquals("http://queue/jobs", env.get("QUEUE_URL"));
    }

    @Test
    void taskDocumentDescribesTheTask() throws Exception {
        TaskLaunch launch = launches.values().iterator().next();
        Task task = fx.task(launch.taskArn());

        HttpResponse<String> response = get(launch.environment().get("ECS_CONTAINER_METADATA_URI_V4") + "/task");

        assertEquals(200, response.statusCode());
        JsonNode doc = json.readTree(response.body());
        assertEquals(launch.taskArn(), doc.path("TaskARN").asText());
        assertEquals(task.clusterArn(), doc.path("Cluster").asText());
        assertTrue(task.clusterArn().endsWith("/" + CLUSTER));
        assertEquals(FAMILY, doc.path("Family").asText());
        assertEquals("1", doc.path("Revision").asText());
        assertEquals(task.availabilityZone(), doc.path("AvailabilityZone").asText());
        assertEquals("RUNNING", doc.path("KnownStatus").asText());
    }

    @Test
    void containerDocumentNamesTheContainer() throws Exception {
        TaskLaunch launch = launches.values().iterator().next();

        HttpResponse<String> response = get(launch.environment().get("ECS_CONTAINER_METADATA_URI_V4"));

        assertEquals(200, response.statusCode());
        JsonNode doc = json.readTree(response.body());
        assertEquals("main", doc.path("Name").asText());
        assertEquals(launch.taskArn(), doc.path("Labels").path("com.amazonaws.ecs.task-arn").asText());
    }

    @Test
    void unknownTaskIs404() throws Exception {
        assertEquals(404, get(fx.emulator.endpoint() + "/v4/nosuchtask/task").statusCode());
    }

    private HttpResponse<String> get(String uri) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(uri)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }
}
