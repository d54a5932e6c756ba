package io.coscale.api;

import io.coscale.lease.DynaliteTestResource;
import io.quarkus.test.junit.QuarkusTestProfile;
import java.util.List;
import java.util.Map;

/**
 * The application as deployed: auth switched on with one token per role, and the lease (with the pools defined as
 * data and the Idempotency-Key records) in DynamoDB, on dynalite. Used by the auth tests and by the lease's wiring test,
 * which share its one boot.
 */
public class AuthTestProfile implements QuarkusTestProfile {

    public static final String SUBMIT = "submit-secret-0123456789";
    static final String WORKER = "worker-secret-0123456789";
    public static final String READ = "read-secret-0123456789";
    static final String ADMIN = "admin-secret-0123456789";
    static final String REPLICA = "replica-secret-0123456789";
    /** A worker token bound to the demo pool, and one bound to a pool named gpu. */
    static final String DEMO_WORKER = "demo-worker-secret-0123456789";
    static final String GPU_WORKER = "gpu-worker-secret-0123456789";

    /** dynalite, and the lease store setting, for this profile's application only. */
    @Override
    public List<TestResourceEntry> testResources() {
        return List.of(new TestResourceEntry(DynaliteTestResource.class));
    }

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.ofEntries(
                Map.entry("coscale.test.api-probe", "true"),
                Map.entry("coscale.auth.enabled", "true"),
                Map.entry("coscale.auth.tokens.ci.secret", SUBMIT),
                Map.entry("coscale.auth.tokens.ci.roles", "submit"),
                Map.entry("coscale.auth.tokens.workers.secret", WORKER),
                Map.entry("coscale.auth.tokens.workers.roles", "worker"),
                Map.entry("coscale.auth.tokens.dashboard.secret", READ),
                Map.entry("coscale.auth.tokens.dashboard.roles", "read"),
                Map.entry("coscale.auth.tokens.ops.secret", ADMIN),
                Map.entry("coscale.auth.tokens.ops.roles", "admin"),
                Map.entry("coscale.auth.tokens.replica.secret", REPLICA),
                Map.entry("coscale.auth.tokens.replica.roles", "replica"),
                Map.entry("coscale.auth.tokens.demo-workers.secret", DEMO_WORKER),
                Map.entry("coscale.auth.tokens.demo-workers.roles", "worker"),
                Map.entry("coscale.auth.tokens.demo-workers.pools", "demo"),
                Map.entry("coscale.auth.tokens.gpu-workers.secret", GPU_WORKER),
                Map.entry("coscale.auth.tokens.gpu-workers.roles", "worker"),
                Map.entry("coscale.auth.tokens.gpu-workers.pools", "gpu"));
    }
}
