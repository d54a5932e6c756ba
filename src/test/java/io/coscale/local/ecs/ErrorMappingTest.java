package io.coscale.local.ecs;

import static io.coscale.local.ecs.EcsEmulatorFixture.CLUSTER;
import static io.coscale.local.ecs.EcsEmulatorFixture.FAMILY;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ecs.model.ClientException;
import software.amazon.awssdk.services.ecs.model.ClusterNotFoundException;
import software.amazon.awssdk.services.ecs.model.ContainerDefinition;
import software.amazon.awssdk.services.ecs.model.InvalidParameterException;
import software.amazon.awssdk.services.ecs.model.ServerException;
import software.amazon.awssdk.services.ecs.model.ServiceNotFoundException;

/** Each ECS error shape reaches the caller as the SDK's own exception class; injected faults too. */
class ErrorMappingTest {

    private EcsEmulatorFixture fx;

    @BeforeEach
    void start() {
        fx = EcsEmulatorFixture.start(2, EcsEmulatorFixture.idleRunner());
        fx.setUpCluster(2, Map.of());
        fx.createService("svc", 0);
    }

    @AfterEach
    void stop() {
        fx.close();
    }

    @Test
    void unknownClusterIsClusterNotFound() {
        ClusterNotFoundException e = assertThrows(ClusterNotFoundException.class,
                () -> fx.ecs.describeServices(r -> r.cluster("nope").services("svc")));
        assertEquals(400, e.statusCode());
        assertEquals("ClusterNotFoundException", e.awsErrorDetails().errorCode());
    }

    @Test
    void updatingAnUnknownServiceIsServiceNotFound() {
        assertThrows(ServiceNotFoundException.class,
                () -> fx.ecs.updateService(r -> r.cluster(CLUSTER).service("nope").desiredCount(1)));
    }

    @Test
    void negativeDesiredCountIsInvalidParameter() {
        assertThrows(InvalidParameterException.class,
                () -> fx.ecs.updateService(r -> r.cluster(CLUSTER).service("svc").desiredCount(-1)));
    }

    @Test
    void taskDefinitionWithoutContainersIsClientException() {
        assertThrows(ClientException.class, () -> fx.ecs.registerTaskDefinition(r -> r.family("empty")));
        assertThrows(ClientException.class, () -> fx.ecs.registerTaskDefinition(r -> r.family(FAMILY)
                .containerDefinitions(ContainerDefinition.builder().name("c").image("i").stopTimeout(121).build())));
    }

    @Test
    void unknownOrMalformedTaskDefinitionIsClientException() {
        for (String ref : new String[] {"nope", FAMILY + ":9", FAMILY + ":x", "arn:aws:ecs", "arn:aws:ecs:us-east-1:0:service/x"}) {
            assertThrows(ClientException.class,
                    () -> fx.ecs.updateService(r -> r.cluster(CLUSTER).service("svc").taskDefinition(ref)), ref);
        }
    }

    @Test
    void injectedErrorIsServerExceptionWith500() {
        fx.emulator.faults().set("DescribeServices", new FaultInjector.Fault(Duration.ZERO, 1.0, "ServerException"));

        ServerException e = assertThrows(ServerException.class,
                () -> fx.ecs.describeServices(r -> r.cluster(CLUSTER).services("svc")));

        assertEquals(500, e.statusCode());
        // Other actions are untouched, and clearing the fault heals the action.
        fx.setDesiredCount("svc", 0);
        fx.emulator.faults().clear();
        assertEquals("svc", fx.service("svc").serviceName());
    }

    @Test
    void injectedLatencyIsObserved() {
        fx.emulator.faults().set(FaultInjector.ALL, new FaultInjector.Fault(Duration.ofMillis(300), 0, null));

        long start = System.nanoTime();
        fx.service("svc");
        Duration took = Duration.ofNanos(System.nanoTime() - start);

        assertTrue(took.compareTo(Duration.ofMillis(300)) >= 0, took.toString());
    }
}
