package io.coscale.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The deterministic simulation of issue 21: every single-fault schedule of a base run (each call it makes × each
 * fault kind), then random multi-fault schedules ({@code -Dsim.schedules}, 1,000 by default), the invariants I1–I6
 * checked after every event. A failing schedule is shrunk (faults dropped one at a time while it still fails) and
 * printed as seed and faults, to be replayed with {@link #replay}.
 */
class SimulationTest {

    /** A base run with a hand-over, a burst and an exit of every task. */
    static final long BASE_SEED = 3;

    @Test
    void everyFaultAtEveryCallKeepsTheGuarantees() {
        long started = System.nanoTime();
        int schedules = Integer.getInteger("sim.schedules", 1_000);
        Set<String> covered = new LinkedHashSet<>();
        Set<String> sites = new LinkedHashSet<>();
        long checks = 0;
        int runs = 0;
        List<String> failures = new ArrayList<>();

        Simulation base = new Simulation(Simulation.Scenario.of(BASE_SEED), Simulation.FaultPlan.NONE).run();
        checks += base.invariants.checks();
        runs++;
        sites.addAll(base.sites());
        report(base, failures);
        for (Simulation.Call call : base.calls()) {
            for (FaultKind kind : FaultKind.values()) {
                Map<Integer, FaultKind> faults = Map.of(call.index(), kind);
                Simulation sim = replay(BASE_SEED, faults);
                runs++;
                checks += sim.invariants.checks();
                covered.addAll(sim.invariants.covered());
                sites.addAll(sim.sites());
                report(sim, failures);
            }
        }
        int single = runs;
        for (int i = 0; i < schedules; i++) {
            long seed = 1_000 + i;
            Random r = new Random(seed);
            Simulation sim = new Simulation(Simulation.Scenario.of(seed), call -> r.nextInt(40) == 0
                    ? FaultKind.values()[r.nextInt(FaultKind.values().length)] : null).run();
            runs++;
            checks += sim.invariants.checks();
            covered.addAll(sim.invariants.covered());
            sites.addAll(sim.sites());
            report(sim, failures);
        }
        long stepCallPairs = sites.size();
        System.out.printf("simulation: %d steps x calls x %d fault kinds, %d of %d covered; %d schedules run (%d single-fault,"
                + " %d random multi-fault); %d invariant checks; violations %d; %.1f s%n", stepCallPairs,
                FaultKind.values().length, covered.size(), stepCallPairs * FaultKind.values().length, runs, single,
                schedules, checks, failures.size(), (System.nanoTime() - started) / 1e9);
        assertThat(failures).isEmpty();
    }

    private static void report(Simulation sim, List<String> failures) {
        if (!sim.invariants.violations().isEmpty() && failures.size() < 10) {
            Map<Integer, FaultKind> faults = new LinkedHashMap<>();
            sim.faultsMade().forEach((c, k) -> faults.put(c.index(), k));
            Map<Integer, FaultKind> shortest = shrink(sim.scenario().seed(), faults);
            Simulation again = replay(sim.scenario().seed(), shortest);
            StringBuilder why = new StringBuilder("seed " + sim.scenario().seed() + " faults " + describe(again) + ": "
                    + again.invariants.violations());
            failures.add(why.toString());
        }
    }

    private static String describe(Simulation sim) {
        List<String> parts = new ArrayList<>();
        sim.faultsMade().forEach((c, k) -> parts.add(c.index() + "=" + k + " (" + c.process() + " " + c.site() + ")"));
        return parts.toString();
    }

    /**
     * Defect 1 of issue 21, its kill -9 form (found by the simulation): a release decides exit, its unprotect is
     * applied, and coscale is killed. The replica that takes over adopts ECS's protections (none for this task), the
     * worker's retried release answers continue, and the worker receives a message on an unprotected task. A release
     * that answers continue or stay now re-asserts protection this replica has not confirmed.
     */
    @Test
    void aKillRightAfterAReleasesUnprotectLeavesNoMessageInTheHandsOfAnUnprotectedTask() {
        Simulation sim = new Simulation(Simulation.Scenario.of(BASE_SEED),
                nth("release × UpdateTaskProtection", 1, FaultKind.KILLED_AFTER)).run();

        assertThat(sim.faultsMade()).hasSize(1);
        assertThat(sim.invariants.violations()).isEmpty();
    }

    /** Faults the {@code n}th call (from 1) of a step × call site with {@code kind}. */
    static Simulation.FaultPlan nth(String site, int n, FaultKind kind) {
        int[] seen = {0};
        return call -> call.site().equals(site) && ++seen[0] == n ? kind : null;
    }

    /** Drops faults one at a time while the schedule still breaks a guarantee. */
    static Map<Integer, FaultKind> shrink(long seed, Map<Integer, FaultKind> faults) {
        Map<Integer, FaultKind> current = new LinkedHashMap<>(faults);
        boolean smaller = true;
        while (smaller) {
            smaller = false;
            for (Integer index : List.copyOf(current.keySet())) {
                Map<Integer, FaultKind> without = new LinkedHashMap<>(current);
                without.remove(index);
                if (!replay(seed, without).invariants.violations().isEmpty()) {
                    current = without;
                    smaller = true;
                }
            }
        }
        return current;
    }

    /** Runs scenario {@code seed} with {@code faults} (call index → kind). */
    static Simulation replay(long seed, Map<Integer, FaultKind> faults) {
        return new Simulation(Simulation.Scenario.of(seed), call -> faults.get(call.index())).run();
    }
}
