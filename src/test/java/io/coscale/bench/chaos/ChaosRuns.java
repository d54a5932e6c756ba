package io.coscale.bench.chaos;

import java.nio.file.Path;
import java.time.Duration;

/** The entry point the chaos benchmark calls: one run per mode, on fresh processes and ports. */
public final class ChaosRuns {

    private ChaosRuns() {
    }

    /** Runs the chaos run in {@code mode} (protect or cooperative) on a cluster of 3 for a pool of up to 8 tasks. */
    public static ChaosFigures run(String mode, int jobs, int waves, int clients, int kills, long seed, Duration cap,
            Path logs) throws Exception {
        return new ChaosRun(new ChaosRun.Settings(mode, jobs, waves, clients, kills, seed, 3, 8, cap, logs)).run();
    }
}
