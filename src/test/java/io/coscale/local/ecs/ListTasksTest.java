package io.coscale.local.ecs;

import static io.coscale.local.ecs.EcsEmulatorFixture.CLUSTER;
import static io.coscale.local.ecs.EcsEmulatorFixture.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ecs.model.DesiredStatus;
import software.amazon.awssdk.services.ecs.model.InvalidParameterException;
import software.amazon.awssdk.services.ecs.model.ListTasksResponse;
import software.amazon.awssdk.services.ecs.model.ServiceNotFoundException;

/** ListTasks filters by service and desired status, and pages with maxResults and nextToken. */
class ListTasksTest {

    private EcsEmulatorFixture fx;

    @BeforeEach
    void start() {
        fx = EcsEmulatorFixture.start(10, EcsEmulatorFixture.idleRunner());
        fx.setUpCluster(1, Map.of());
        fx.createService("a", 5);
        fx.createService("b", 2);
        fx.awaitCounts("a", 5, 0);
        fx.awaitCounts("b", 2, 0);
    }

    @AfterEach
    void stop() {
        fx.close();
    }

    @Test
    void filtersByServiceAndDesiredStatus() {
        assertEquals(5, list("a", null).size());
        assertEquals(2, list("b", null).size());
        assertEquals(7, list(null, null).size());
        assertEquals(7, list(null, DesiredStatus.RUNNING).size());
        assertTrue(list(null, DesiredStatus.STOPPED).isEmpty());

        fx.setDesiredCount("a", 3);
        eventually().until(() -> list("a", DesiredStatus.STOPPED).size() == 2);

        assertEquals(3, list("a", DesiredStatus.RUNNING).size());
        assertTrue(list("b", DesiredStatus.STOPPED).isEmpty());
        Set<String> overlap = new HashSet<>(list("a", DesiredStatus.RUNNING));
        overlap.retainAll(list("a", DesiredStatus.STOPPED));
        assertTrue(overlap.isEmpty());
    }

    @Test
    void unknownServiceIsServiceNotFound() {
        assertThrows(ServiceNotFoundException.class, () -> list("nope", null));
    }

    @Test
    void pagesWithMaxResultsAndNextToken() {
        List<String> all = new ArrayList<>();
        List<Integer> pageSizes = new ArrayList<>();
        String token = null;
        do {
            String next = token;
            ListTasksResponse page = fx.ecs.listTasks(r -> r.cluster(CLUSTER).maxResults(3).nextToken(next));
            all.addAll(page.taskArns());
            pageSizes.add(page.taskArns().size());
            token = page.nextToken();
        } while (token != null);

        assertEquals(List.of(3, 3, 1), pageSizes);
        assertEquals(new HashSet<>(list(null, null)), new HashSet<>(all));
        assertEquals(7, new HashSet<>(all).size());
    }

    @Test
    void lastPageHasNoToken() {
        ListTasksResponse page = fx.ecs.listTasks(r -> r.cluster(CLUSTER).serviceName("b").maxResults(2));
        assertEquals(2, page.taskArns().size());
        assertNull(page.nextToken());
    }

    @Test
    void badPagingParametersAreInvalid() {
        assertThrows(InvalidParameterException.class, () -> fx.ecs.listTasks(r -> r.cluster(CLUSTER).maxResults(101)));
        assertThrows(InvalidParameterException.class,
                () -> fx.ecs.listTasks(r -> r.cluster(CLUSTER).nextToken("not-a-token")));
    }

    private List<String> list(String service, DesiredStatus status) {
        return fx.ecs.listTasks(r -> r.cluster(CLUSTER).serviceName(service).desiredStatus(status)).taskArns();
    }
}
