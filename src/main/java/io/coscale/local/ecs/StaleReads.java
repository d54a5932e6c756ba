package io.coscale.local.ecs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.coscale.local.ecs.EcsState.Cluster;
import io.coscale.local.ecs.EcsState.Service;
import io.coscale.local.ecs.EcsState.Task;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * Eventually consistent DescribeServices and DescribeTasks, as ECS documents its reads. With a window of N > 0,
 * each answer shows every service and task as it was at {@code now - L}, L drawn in [0, N] per call: a change is
 * seen by every read at most N after it happened, and reads may flip between old and new meanwhile, as ECS's
 * replicas do.
 * <p>
 * Invariant: for every service and task ARN, {@code history} holds the rendered JSON of each version it had
 * during the last N (and the newest one before that), stamped with when the emulator recorded it; {@code null}
 * JSON means the entity was gone. {@link #record} runs after every action that may change the world and after
 * every scheduler tick, so a version's stamp is the moment of its change — except a change made by a workload
 * exiting on its own, which is stamped at the next tick (at most one scheduler interval late).
 * <p>
 * An entity that did not exist yet at {@code now - L} is answered as ECS answers an unknown one (failure
 * {@code MISSING}): ECS says a resource just created may not be visible to the next call, and a caller that
 * cannot cope with that should find out here. Entities that existed when the window was switched on are treated
 * as having always existed. With N = 0 nothing is recorded and answers are the fresh ones untouched.
 * Not thread-safe: every method runs under the emulator's lock.
 */
final class StaleReads {

    private record Version(Instant at, ObjectNode json) {
    }

    private final EcsState state;
    private final EmulatorStats stats;
    private final Random random;
    private final Map<String, Deque<Version>> history = new HashMap<>();
    /** True once the world as it stood when the window opened has been recorded as the baseline. */
    private boolean active;

    StaleReads(EcsState state, EmulatorStats stats, Random random) {
        this.state = state;
        this.stats = stats;
        this.random = random;
    }

    /** True for the actions whose answers this may make stale. */
    static boolean serves(String action) {
        return action.equals("DescribeServices") || action.equals("DescribeTasks");
    }

    /**
     * Call before an action runs: the first time after the window opened, records the world as its baseline,
     * so that what existed before the action is not mistaken for something it created.
     */
    void beforeChange(Duration window, Instant now) {
        if (!window.isZero() && !active) {
            record(window, now);
        }
    }

    /** Records a new version of every service and task whose JSON changed, then forgets versions no read needs. */
    void record(Duration window, Instant now) {
        if (window.isZero()) {
            if (active) {
                history.clear();
                active = false;
            }
            return;
        }
        Instant stamp = active ? now : Instant.MIN;
        active = true;
        Set<String> present = new HashSet<>();
        for (Cluster cluster : state.clusters.values()) {
            for (Service service : cluster.services.values()) {
                remember(service.arn, EcsJson.service(service), stamp, present);
            }
            for (Task task : cluster.tasks.values()) {
                remember(task.arn, EcsJson.task(task), stamp, present);
            }
        }
        Instant cutoff = now.minus(window);
        for (Iterator<Map.Entry<String, Deque<Version>>> it = history.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<String, Deque<Version>> entry = it.next();
            Deque<Version> versions = entry.getValue();
            if (!present.contains(entry.getKey()) && versions.getLast().json() != null) {
                versions.addLast(new Version(stamp, null));
            }
            prune(versions, cutoff);
            if (versions.size() == 1 && versions.getFirst().json() == null && !versions.getFirst().at().isAfter(cutoff)) {
                it.remove(); // gone for longer than any read looks back
            }
        }
    }

    private void remember(String arn, ObjectNode json, Instant stamp, Set<String> present) {
        present.add(arn);
        Deque<Version> versions = history.computeIfAbsent(arn, a -> new ArrayDeque<>());
        if (versions.isEmpty() || !json.equals(versions.getLast().json())) {
            versions.addLast(new Version(stamp, json));
        }
    }

    /** Keeps the versions newer than the cutoff and the newest one at or before it: what a read may still see. */
    private static void prune(Deque<Version> versions, Instant cutoff) {
        while (versions.size() >= 2) {
            Iterator<Version> it = versions.iterator();
            it.next();
            if (it.next().at().isAfter(cutoff)) {
                return;
            }
            versions.removeFirst();
        }
    }

    /**
     * The answer a replica that lags by a random L in [0, window] gives, built from the fresh answer of a
     * {@link #serves served} action: each entity replaced by its version at {@code now - L}, or moved to the
     * failures as MISSING if it did not exist then (and back from them if it existed then but not now).
     */
    ObjectNode answer(String action, ObjectNode fresh, Duration window, Instant now) {
        if (window.isZero() || !active) {
            return fresh;
        }
        boolean services = action.equals("DescribeServices");
        String listField = services ? "services" : "tasks";
        String arnField = services ? "serviceArn" : "taskArn";
        Instant at = now.minusMillis((long) (random.nextDouble() * (window.toMillis() + 1)));
        ObjectNode stale = EcsJson.object();
        ArrayNode found = stale.putArray(listField);
        ArrayNode failures = stale.putArray("failures");
        boolean differs = false;
        for (JsonNode entity : fresh.path(listField)) {
            String arn = entity.path(arnField).asText();
            Deque<Version> versions = history.get(arn);
            if (versions == null) {
                found.add(entity); // not recorded yet (changed outside an action or tick): nothing older to show
                continue;
            }
            ObjectNode then = versionAt(versions, at);
            if (then == null) {
                failures.add(EcsJson.failure(arn, "MISSING"));
                differs = true;
            } else {
                found.add(then.deepCopy());
                differs |= !then.equals(entity);
            }
        }
        for (JsonNode failure : fresh.path("failures")) {
            Deque<Version> versions = history.get(failure.path("arn").asText());
            ObjectNode then = versions == null ? null : versionAt(versions, at);
            if (then == null) {
                failures.add(failure);
            } else {
                found.add(then.deepCopy());
                differs = true;
            }
        }
        if (differs) {
            stats.staleReads.incrementAndGet();
        }
        return stale;
    }

    /** Versions held over all entities: bounded by the changes of the last window plus one per entity. */
    int versionsKept() {
        return history.values().stream().mapToInt(Deque::size).sum();
    }

    /** The JSON of the newest version recorded at or before {@code at}; null if the entity did not exist then. */
    private static ObjectNode versionAt(Deque<Version> versions, Instant at) {
        ObjectNode json = null;
        for (Version version : versions) {
            if (version.at().isAfter(at)) {
                break;
            }
            json = version.json();
        }
        return json;
    }
}
