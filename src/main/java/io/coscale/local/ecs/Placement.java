package io.coscale.local.ecs;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * How the emulated service scheduler places and picks tasks, after ECS's default "spread across
 * Availability Zones": new tasks go to the zone with the fewest of the service's tasks; on scale-in the
 * victims come from the zone with the most, chosen arbitrarily within it, and protected tasks are never
 * chosen. Which task asked for the scale-in plays no part, just as on ECS. Pure.
 */
final class Placement {

    static final List<String> ZONES = List.of("us-east-1a", "us-east-1b", "us-east-1c");

    /** One of the service's active tasks, as scale-in sees it. */
    record Candidate(String taskId, String zone, boolean isProtected) {
    }

    private Placement() {
    }

    /** The zone for a new task, given the zones of the service's active tasks. */
    static String zoneForNewTask(List<String> activeZones) {
        Map<String, Integer> counts = zoneCounts(activeZones);
        return ZONES.stream().min(Comparator.comparingInt(counts::get)).orElseThrow();
    }

    /**
     * Up to {@code count} unprotected tasks to stop, each taken from the zone that has the most active tasks
     * at that point (protected ones count toward balance but are never taken). Fewer come back when too few
     * tasks are unprotected: ECS then waits for protection to lapse.
     */
    static List<String> victims(List<Candidate> active, int count, Random random) {
        List<Candidate> remaining = new ArrayList<>(active);
        List<String> chosen = new ArrayList<>();
        while (chosen.size() < count) {
            Map<String, Integer> counts = zoneCounts(remaining.stream().map(Candidate::zone).toList());
            List<String> zonesByLoad = new ArrayList<>(ZONES);
            zonesByLoad.sort(Comparator.comparingInt((String z) -> counts.get(z)).reversed());
            Candidate victim = null;
            for (String zone : zonesByLoad) {
                List<Candidate> stoppable = remaining.stream()
                        .filter(c -> c.zone().equals(zone) && !c.isProtected())
                        .toList();
                if (!stoppable.isEmpty()) {
                    victim = stoppable.get(random.nextInt(stoppable.size()));
                    break;
                }
            }
            if (victim == null) {
                return chosen;
            }
            remaining.remove(victim);
            chosen.add(victim.taskId());
        }
        return chosen;
    }

    private static Map<String, Integer> zoneCounts(List<String> zones) {
        Map<String, Integer> counts = new LinkedHashMap<>();
        ZONES.forEach(z -> counts.put(z, 0));
        zones.forEach(z -> counts.merge(z, 1, Integer::sum));
        return counts;
    }
}
