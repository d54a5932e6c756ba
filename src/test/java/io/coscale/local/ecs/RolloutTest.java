package io.coscale.local.ecs;

import static org.assertj.core.api.Assertions.assertThat;

import io.coscale.local.ecs.Rollout.Member;
import io.coscale.local.ecs.Rollout.Plan;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** One tick of the rolling update, as a table: the service's tasks in, what is stopped and started out. */
class RolloutTest {

    /** Victims are picked at random within a zone: every row must hold whichever are picked. */
    private static final int SEEDS = 50;

    /**
     * Tasks are written as codes: {@code P}/{@code O} a PRIMARY/old task, {@code r}/{@code p} RUNNING/PENDING, a
     * trailing {@code !} protected; ids are the code plus its index, e.g. {@code Or1}.
     */
    record Row(String label, int desired, int minHealthy, int max, String tasks, int scaleInOld, int scaleInPrimary,
            int replaced, int toStart) {

        @Override
        public String toString() {
            return label;
        }
    }

    static Stream<Row> rows() {
        return Stream.of(
                new Row("converged, no rollout: nothing", 3, 100, 200, "Pr Pr Pr", 0, 0, 0, 0),
                new Row("too few: start the rest", 4, 100, 200, "Pr Pp", 0, 0, 0, 2),
                new Row("too many: scale-in spares the protected", 1, 100, 200, "Pr! Pr Pr", 0, 2, 0, 0),
                new Row("rollout starts up to maxPercent", 4, 100, 200, "Or Or Or Or", 0, 0, 0, 4),
                new Row("new tasks pending: old ones keep minHealthy", 4, 100, 200, "Or Or Or Or Pp Pp Pp Pp", 0, 0, 0, 0),
                new Row("old ones go as new ones run", 4, 100, 200, "Or Or Or Or Pr Pr Pp Pp", 0, 0, 2, 0),
                new Row("maxPercent 100: old ones go first", 4, 50, 100, "Or Or Or Or", 0, 0, 2, 2),
                new Row("pending old ones always go", 2, 100, 200, "Or Op", 0, 0, 1, 2),
                new Row("protected old ones wait", 2, 100, 200, "Or! Or! Pr Pr", 0, 0, 0, 0),
                new Row("only the unprotected old one goes", 2, 100, 200, "Or! Or Pr Pr", 0, 0, 1, 0),
                new Row("scale-in while rolling takes old ones", 3, 100, 150, "Or Or Or Or Pp Pp", 2, 0, 0, 0),
                new Row("scale-in never takes PRIMARY below desired", 3, 100, 100, "Or! Or! Pr Pr Pr", 0, 0, 0, 0),
                new Row("PRIMARY beyond desired, then old beyond max", 2, 100, 200, "Or Or Or Or Pp Pp Pp Pp", 2, 2, 0, 0),
                new Row("desired 0 while rolling: everything goes", 0, 100, 200, "Or Pr", 1, 1, 0, 0));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rows")
    void plansOneTick(Row row) {
        for (int seed = 0; seed < SEEDS; seed++) {
            plansOneTick(row, new Random(seed));
        }
    }

    private static void plansOneTick(Row row, Random random) {
        List<Member> tasks = members(row.tasks());

        Plan plan = Rollout.plan(row.desired(), new DeploymentConfiguration(row.minHealthy(), row.max()), tasks, random);

        assertThat(plan.scaleIn().stream().filter(id -> id.startsWith("O"))).hasSize(row.scaleInOld());
        assertThat(plan.scaleIn().stream().filter(id -> id.startsWith("P"))).hasSize(row.scaleInPrimary());
        assertThat(plan.replaced()).hasSize(row.replaced()).allMatch(id -> id.startsWith("O"));
        assertThat(plan.toStart()).isEqualTo(row.toStart());
        assertThat(Stream.concat(plan.scaleIn().stream(), plan.replaced().stream()))
                .doesNotHaveDuplicates()
                .noneMatch(id -> id.endsWith("!"));
        assertThat(plan.isEmpty()).isEqualTo(row.scaleInOld() + row.scaleInPrimary() + row.replaced() + row.toStart() == 0);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rows")
    void rollingNeverLeavesTheBounds(Row row) {
        List<Member> tasks = members(row.tasks());
        DeploymentConfiguration config = new DeploymentConfiguration(row.minHealthy(), row.max());

        Plan plan = Rollout.plan(row.desired(), config, tasks, new Random(row.label().hashCode()));

        List<Member> after = new ArrayList<>(tasks);
        after.removeIf(m -> plan.scaleIn().contains(m.taskId()) || plan.replaced().contains(m.taskId()));
        long runningBeforeReplacement = tasks.stream()
                .filter(m -> m.running() && !plan.scaleIn().contains(m.taskId())).count();
        if (!plan.replaced().isEmpty()) {
            assertThat(after.stream().filter(Member::running).count())
                    .isGreaterThanOrEqualTo(Math.min(runningBeforeReplacement, config.minHealthy(row.desired())));
        }
        if (plan.toStart() > 0) {
            assertThat(after.size() + plan.toStart()).isLessThanOrEqualTo(config.maxTotal(row.desired()));
        }
    }

    private static List<Member> members(String codes) {
        List<Member> members = new ArrayList<>();
        String[] parts = codes.split(" ");
        for (int i = 0; i < parts.length; i++) {
            String code = parts[i];
            String id = code.substring(0, 2) + i + (code.endsWith("!") ? "!" : "");
            members.add(new Member(id, Placement.ZONES.get(i % 3), code.charAt(0) == 'P', code.charAt(1) == 'r',
                    code.endsWith("!")));
        }
        return members;
    }
}
