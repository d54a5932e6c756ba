package io.coscale.lease;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;

/** dynalite for a Quarkus test: the application keeps its lease in a table there, created at start-up. */
public class DynaliteTestResource implements QuarkusTestResourceLifecycleManager {

    private final Dynalite dynalite = new Dynalite();

    @Override
    public Map<String, String> start() {
        try {
            dynalite.start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Map.of(
                "coscale.lease.store", "dynamodb",
                "coscale.lease.create-table", "true",
                "coscale.lease.dynamodb.endpoint-override", dynalite.endpoint().toString());
    }

    @Override
    public void stop() {
        try {
            dynalite.stop();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
