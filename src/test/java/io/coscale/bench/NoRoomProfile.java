package io.coscale.bench;

import io.quarkus.test.junit.QuarkusTestProfile;
import java.util.Map;

/**
 * A demo pool whose cluster has no room: no task ever runs, so no worker takes a job and the queue only
 * grows; each submission raises the target by one (up to 1,000). Each benchmark subclasses it, so that
 * each gets an application of its own and starts from an empty queue.
 */
public abstract class NoRoomProfile implements QuarkusTestProfile {

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of(
                "coscale.local.cluster-capacity", "0",
                "coscale.pools.demo.max-tasks", "1000",
                "coscale.reconcile.interval", "10s");
    }
}
