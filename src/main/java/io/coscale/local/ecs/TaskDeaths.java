package io.coscale.local.ecs;

import io.coscale.local.ecs.EcsState.Cluster;
import io.coscale.local.ecs.EcsState.Task;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Random;

/**
 * Injected task deaths (a crash, an OOM kill, a lost host): at a rate of r per minute per cluster, a RUNNING
 * task of a service that ECS still wants (desiredStatus RUNNING) dies, and the service replaces it as ECS would.
 * Each scheduler tick of length {@code interval} kills, per cluster, one random such task with probability
 * {@code r * interval / 60 s}; so at most one death per cluster per tick, and rates above {@code 60 s / interval}
 * per minute are capped there. Not thread-safe: runs under the emulator's lock.
 */
final class TaskDeaths {

    private final EcsState state;
    private final ServiceScheduler scheduler;
    private final Random random;
    private final Duration interval;

    TaskDeaths(EcsState state, ServiceScheduler scheduler, Random random, Duration interval) {
        this.state = state;
        this.scheduler = scheduler;
        this.random = random;
        this.interval = interval;
    }

    /** One tick's deaths at {@code perMinute}; does nothing, and draws no random number, when the rate is 0. */
    void tick(double perMinute, Instant now) {
        if (perMinute <= 0) {
            return;
        }
        double probability = perMinute * interval.toMillis() / 60_000.0;
        for (Cluster cluster : state.clusters.values()) {
            if (random.nextDouble() >= probability) {
                continue;
            }
            List<Task> candidates = cluster.tasks.values().stream()
                    .filter(t -> t.service != null && t.lastStatus.equals("RUNNING") && t.desiredStatus.equals("RUNNING"))
                    .toList();
            if (!candidates.isEmpty()) {
                scheduler.die(candidates.get(random.nextInt(candidates.size())), now);
            }
        }
    }
}
