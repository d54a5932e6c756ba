package io.coscale.local;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;

/**
 * Gives the test application's local cloud free ports, so that tests never collide with a running
 * {@code quarkus:dev} (9324/9325) or another build's tests. The application itself starts ElasticMQ and the ECS emulator on them, on
 * the same code path as local mode.
 */
public class LocalCloudTestResource implements QuarkusTestResourceLifecycleManager {

    @Override
    public Map<String, String> start() {
        return Map.of(
                // Several builds share this machine: a fixed 8081 would collide, and tasks need the real port.
                "quarkus.http.test-port", Integer.toString(freePort()),
                "coscale.local.sqs-port", Integer.toString(freePort()),
                "coscale.local.ecs-port", Integer.toString(freePort()));
    }

    @Override
    public void stop() {
        // the application stops what it started
    }

    /** A port on 127.0.0.1 that was free a moment ago. */
    public static int freePort() {
        return LocalCloud.freePort();
    }
}
