package io.coscale.api;

import io.quarkus.test.junit.QuarkusTestProfile;
import java.util.Map;

/**
 * Local mode plus two pools the API tests submit to without the demo workers in the way:
 * <ul>
 *   <li>{@code idle}: queue {@code idle}, which nobody consumes, so a test can count exactly what was enqueued.
 *       Its ECS service does not exist: its scale-ups fail and are retried, which these tests do not look at.</li>
 *   <li>{@code gone}: a queue URL SQS does not know; every send is refused.</li>
 * </ul>
 * Shared by the resource tests so that Quarkus boots once for all of them.
 */
public class ApiTestProfile implements QuarkusTestProfile {

    static final String IDLE = "idle";
    static final String GONE = "gone";

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of(
                "coscale.pools.idle.cluster", "local",
                "coscale.pools.idle.service", "idle",
                "coscale.pools.idle.queue-url", "http://127.0.0.1:${coscale.local.sqs-port}/000000000000/idle",
                "coscale.pools.idle.max-tasks", "1",
                "coscale.pools.gone.cluster", "local",
                "coscale.pools.gone.service", "gone",
                "coscale.pools.gone.queue-url", "http://127.0.0.1:${coscale.local.sqs-port}/000000000000/gone",
                "coscale.pools.gone.max-tasks", "1");
    }
}
