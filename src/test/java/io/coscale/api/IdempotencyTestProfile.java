package io.coscale.api;

import io.quarkus.test.junit.QuarkusTestProfile;
import java.util.HashMap;
import java.util.Map;

/**
 * Local mode plus pools whose queues nobody consumes, so that a test counts exactly what a keyed submission
 * enqueued: {@code idle} and {@code other} (queues of their names), {@code ordered} (the FIFO queue
 * {@code ordered.fifo}) and {@code late}, whose queue does not exist until a test creates it. Their ECS services do
 * not exist: scale-ups fail and are retried, which these tests do not look at. SQS is reached through the local
 * cloud's fault proxy, which is faithful until a test sets faults on it (and sets them back after).
 */
public class IdempotencyTestProfile implements QuarkusTestProfile {

    @Override
    public Map<String, String> getConfigOverrides() {
        Map<String, String> config = new HashMap<>();
        for (String[] pool : new String[][] {{"idle", "idle"}, {"other", "other"}, {"ordered", "ordered.fifo"},
                {"late", "late"}}) {
            String prefix = "coscale.pools." + pool[0] + ".";
            config.put(prefix + "cluster", "local");
            config.put(prefix + "service", pool[0]);
            config.put(prefix + "queue-url", "http://127.0.0.1:${coscale.local.sqs-port}/000000000000/" + pool[1]);
            config.put(prefix + "max-tasks", "1");
        }
        config.put("coscale.local.sqs-proxy", "true");
        return config;
    }
}
