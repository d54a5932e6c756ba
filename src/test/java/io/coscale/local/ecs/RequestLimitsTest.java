package io.coscale.local.ecs;

import static io.coscale.local.ecs.EcsEmulatorFixture.CLUSTER;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ecs.model.DescribeServicesResponse;
import software.amazon.awssdk.services.ecs.model.DescribeTasksResponse;
import software.amazon.awssdk.services.ecs.model.InvalidParameterException;

/** ECS's per-request list limits: 10 services, 100 tasks, 10 tasks per protection update. */
class RequestLimitsTest {

    private EcsEmulatorFixture fx;

    @BeforeEach
    void start() {
        fx = EcsEmulatorFixture.start(2, EcsEmulatorFixture.idleRunner());
        fx.setUpCluster(2, Map.of());
        for (int i = 0; i < 11; i++) {
            fx.createService("svc-" + i, 0);
        }
    }

    @AfterEach
    void stop() {
        fx.close();
    }

    @Test
    void describeServicesTakesAtMostTen() {
        DescribeServicesResponse ten = fx.ecs.describeServices(r -> r.cluster(CLUSTER).services(names("svc-", 10)));
        assertEquals(10, ten.services().size());

        assertThrows(InvalidParameterException.class,
                () -> fx.ecs.describeServices(r -> r.cluster(CLUSTER).services(names("svc-", 11))));
    }

    @Test
    void describeTasksTakesAtMostOneHundred() {
        DescribeTasksResponse hundred = fx.ecs.describeTasks(r -> r.cluster(CLUSTER).tasks(names("nosuchtask", 100)));
        assertEquals(100, hundred.failures().size());
        assertEquals("MISSING", hundred.failures().get(0).reason());

        assertThrows(InvalidParameterException.class,
                () -> fx.ecs.describeTasks(r -> r.cluster(CLUSTER).tasks(names("nosuchtask", 101))));
    }

    @Test
    void updateTaskProtectionTakesAtMostTen() {
        assertEquals(10, fx.ecs.updateTaskProtection(r -> r.cluster(CLUSTER).tasks(names("nosuchtask", 10))
                .protectionEnabled(true)).failures().size());

        assertThrows(InvalidParameterException.class, () -> fx.ecs.updateTaskProtection(
                r -> r.cluster(CLUSTER).tasks(names("nosuchtask", 11)).protectionEnabled(true)));
    }

    private static List<String> names(String prefix, int n) {
        return IntStream.range(0, n).mapToObj(i -> prefix + i).toList();
    }
}
