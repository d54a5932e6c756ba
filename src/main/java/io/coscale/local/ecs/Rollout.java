package io.coscale.local.ecs;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;

/**
 * What one scheduler tick does to a service's active tasks (desiredStatus RUNNING), as ECS's rolling update
 * (deployment controller ECS) does it. With {@code D = desiredCount}, {@code maxTotal} and {@code minHealthy}
 * from the service's {@link DeploymentConfiguration}, and "old" meaning started by a deployment other than the
 * PRIMARY one, in this order:
 * <ol>
 * <li><b>scale-in</b>: PRIMARY tasks beyond D; then, while a deployment rolls, tasks beyond {@code maxTotal},
 *     taken from old tasks only, since those are going anyway (never PRIMARY ones below D). Without a rollout
 *     this is the plain scale-in: tasks beyond D. Victims are unprotected tasks spread by {@link Placement};
 *     scale-in does not wait for {@code minHealthy}, as on ECS.</li>
 * <li><b>replacement</b>: unprotected old tasks: every PENDING one, and RUNNING ones as long as the RUNNING
 *     tasks left stay at least {@code minHealthy}. Protected old tasks stay until their protection ends, so a
 *     deployment can wait on them.</li>
 * <li><b>start</b>: new PRIMARY tasks while PRIMARY ones are fewer than D and all active ones fewer than
 *     {@code maxTotal}; when the service is at {@code maxTotal}, old tasks must go first.</li>
 * </ol>
 * Invariant: apart from scale-in (desiredCount lowered) no step takes the service below {@code minHealthy}
 * RUNNING tasks or above {@code maxTotal} active ones. Cluster capacity is not its business: a PENDING task
 * waits for room, so a full cluster can stall a deployment, as on ECS. Pure.
 */
final class Rollout {

    /** One active task of the service, as the rollout sees it. */
    record Member(String taskId, String zone, boolean primary, boolean running, boolean isProtected) {
    }

    /** Tasks to stop by cause, and how many new PRIMARY tasks to place. */
    record Plan(List<String> scaleIn, List<String> replaced, int toStart) {

        boolean isEmpty() {
            return scaleIn.isEmpty() && replaced.isEmpty() && toStart == 0;
        }
    }

    private Rollout() {
    }

    static Plan plan(int desired, DeploymentConfiguration config, List<Member> active, Random random) {
        int maxTotal = config.maxTotal(desired);
        int minHealthy = config.minHealthy(desired);
        List<Member> left = new ArrayList<>(active);
        boolean rolling = left.stream().anyMatch(m -> !m.primary());

        List<String> scaleIn = new ArrayList<>();
        int primaries = (int) left.stream().filter(Member::primary).count();
        take(left, scaleIn, primaries - desired, true, random);
        if (rolling) {
            take(left, scaleIn, left.size() - maxTotal, false, random);
        }

        List<String> replaced = new ArrayList<>();
        left.stream().filter(m -> !m.primary() && !m.running() && !m.isProtected()).forEach(m -> replaced.add(m.taskId()));
        left.removeIf(m -> replaced.contains(m.taskId()));
        long running = left.stream().filter(Member::running).count();
        take(left, replaced, (int) (running - minHealthy), false, random);

        primaries = (int) left.stream().filter(Member::primary).count();
        int toStart = Math.max(0, Math.min(desired - primaries, maxTotal - left.size()));
        return new Plan(List.copyOf(scaleIn), List.copyOf(replaced), toStart);
    }

    /**
     * Moves up to {@code count} unprotected tasks of one kind (PRIMARY or old) from {@code left} to {@code into},
     * spread by zone over all of {@code left}: the other kind counts toward balance but is never taken.
     */
    private static void take(List<Member> left, List<String> into, int count, boolean primary, Random random) {
        if (count <= 0) {
            return;
        }
        List<Placement.Candidate> candidates = left.stream()
                .map(m -> new Placement.Candidate(m.taskId(), m.zone(), m.isProtected() || m.primary() != primary))
                .toList();
        Set<String> chosen = Set.copyOf(Placement.victims(candidates, count, random));
        into.addAll(chosen);
        left.removeIf(m -> chosen.contains(m.taskId()));
    }
}
