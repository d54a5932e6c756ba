package io.coscale.local.ecs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.coscale.local.ecs.Placement.Candidate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Placement's spread across zones and its choice of scale-in victims. */
class PlacementTest {

    private static final String A = "us-east-1a";
    private static final String B = "us-east-1b";
    private static final String C = "us-east-1c";

    static Stream<Arguments> newTaskZones() {
        return Stream.of(
                Arguments.of(List.of(), A),
                Arguments.of(List.of(A), B),
                Arguments.of(List.of(A, B), C),
                Arguments.of(List.of(A, B, C), A),
                Arguments.of(List.of(A, A, B), C),
                Arguments.of(List.of(B, C, C), A),
                Arguments.of(List.of(A, A, C, C), B));
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @MethodSource
    void newTaskZones(List<String> active, String expected) {
        assertEquals(expected, Placement.zoneForNewTask(active));
    }

    @ParameterizedTest(name = "{0} new tasks")
    @MethodSource("counts")
    void newTasksSpreadEvenly(int n) {
        List<String> zones = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            zones.add(Placement.zoneForNewTask(zones));
        }
        Map<String, Integer> perZone = new HashMap<>();
        zones.forEach(z -> perZone.merge(z, 1, Integer::sum));
        int max = perZone.values().stream().max(Integer::compare).orElse(0);
        int min = Placement.ZONES.stream().mapToInt(z -> perZone.getOrDefault(z, 0)).min().orElse(0);
        assertTrue(max - min <= 1, perZone.toString());
    }

    static Stream<Integer> counts() {
        return Stream.of(1, 2, 3, 7, 10, 30);
    }

    /** Candidates as "id:zone[:p]" where p marks a protected task. */
    static Stream<Arguments> victims() {
        return Stream.of(
                // from the most loaded zone
                Arguments.of("a1:a a2:a b1:b c1:c", 1, List.of(List.of("a1", "a2"))),
                // each victim taken from the zone most loaded at that point
                Arguments.of("a1:a a2:a a3:a b1:b b2:b c1:c", 2, List.of(List.of("a1", "a2", "a3"), List.of("a1", "a2", "a3", "b1", "b2"))),
                // never a protected task, even in the most loaded zone
                Arguments.of("a1:a:p a2:a:p b1:b c1:c", 1, List.of(List.of("b1", "c1"))),
                // fewer than asked when too few are unprotected
                Arguments.of("a1:a:p b1:b c1:c:p", 3, List.of(List.of("b1"))),
                Arguments.of("a1:a:p b1:b:p", 2, List.of()),
                Arguments.of("a1:a b1:b", 0, List.of()),
                Arguments.of("", 1, List.of()));
    }

    /**
     * @param allowed for each victim in order, the ids it may be (choice within a zone is random)
     */
    @ParameterizedTest(name = "[{0}] stop {1}")
    @MethodSource
    void victims(String spec, int count, List<List<String>> allowed) {
        List<Candidate> candidates = parse(spec);
        for (long seed = 0; seed < 20; seed++) {
            List<String> chosen = Placement.victims(candidates, count, new Random(seed));
            assertEquals(allowed.size(), chosen.size(), chosen.toString());
            for (int i = 0; i < chosen.size(); i++) {
                assertTrue(allowed.get(i).contains(chosen.get(i)), "victim " + i + " " + chosen);
            }
            assertEquals(chosen.size(), chosen.stream().distinct().count());
        }
    }

    private static List<Candidate> parse(String spec) {
        if (spec.isBlank()) {
            return List.of();
        }
        return Stream.of(spec.split(" ")).map(s -> s.split(":"))
                .map(p -> new Candidate(p[0], "us-east-1" + p[1], p.length > 2))
                .toList();
    }
}
