package io.coscale.api;

import io.quarkus.test.junit.QuarkusTestProfile;
import java.util.HashMap;
import java.util.Map;

/**
 * Local mode plus pools the API tests submit to without the demo workers in the way, shared by the resource,
 * idempotency and configuration tests so that Quarkus boots once for all of them:
 * <ul>
 *   <li>{@code idle}, {@code other}: queues of their names, which nobody consumes, so a test can count exactly what
 *       was enqueued;</li>
 *   <li>{@code ordered}: the FIFO queue {@code ordered.fifo}, nobody consuming it either;</li>
 *   <li>{@code late}: a queue that does not exist until a test creates it;</li>
 *   <li>{@code gone}: a queue URL SQS does not know; every send is refused;</li>
 *   <li>{@code fromjson}: written only in {@code coscale.pools-json}, the document an operator may give instead of
 *       one setting per key; its queue is nowhere, only its configuration is looked at.</li>
 * </ul>
 * Their ECS services do not exist: scale-ups fail and are retried, which these tests do not look at. coscale's SQS
 * client reaches the local cloud's SQS through {@link SqsStandIn}, which forwards until a test cuts or refuses its
 * connections, and then through the local cloud's fault proxy, which is faithful until a test sets faults on it; each
 * test sets them back after.
 */
public class ApiTestProfile implements QuarkusTestProfile {

    static final String IDLE = "idle";
    static final String GONE = "gone";

    @Override
    public Map<String, String> getConfigOverrides() {
        Map<String, String> config = new HashMap<>();
        for (String[] pool : new String[][] {{IDLE, IDLE}, {GONE, GONE}, {"other", "other"}, {"ordered", "ordered.fifo"},
                {"late", "late"}}) {
            String prefix = "coscale.pools." + pool[0] + ".";
            config.put(prefix + "cluster", "local");
            config.put(prefix + "service", pool[0]);
            config.put(prefix + "queue-url", "http://127.0.0.1:${coscale.local.sqs-port}/000000000000/" + pool[1]);
            config.put(prefix + "max-tasks", "1");
        }
        config.put("coscale.pools-json", """
                {"pools": {"fromjson": {"cluster": "local", "service": "fromjson",
                  "queue-url": "http://127.0.0.1:9/000000000000/fromjson", "mode": "cooperative",
                  "min-tasks": 0, "max-tasks": 3, "messages-per-task": 2}}}
                """);
        config.put("coscale.local.sqs-proxy", "true");
        config.put(SqsStandIn.endpoint().getKey(), SqsStandIn.endpoint().getValue());
        return config;
    }
}
