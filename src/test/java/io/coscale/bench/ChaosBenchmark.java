package io.coscale.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.coscale.bench.chaos.ChaosFigures;
import io.coscale.bench.chaos.ChaosRuns;
import io.coscale.deploy.RecordedAwsCalls;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The chaos run, protect and cooperative mode side by side, each with the local cloud and coscale as two processes
 * of the packaged application (so it runs after {@code package}: {@code ./mvnw -B -Pchaos verify}). Jobs of 0–5 s
 * arrive in waves on a cluster of 3 for a pool of up to 8; every fault of the local cloud (ECS errors and
 * throttling before apply, errors and dropped connections after apply, stale reads, task deaths, SQS latency, 500s
 * and resets) is switched on and off; workers' heartbeat claims come 0.2–1.5 s after each receive; coscale is
 * killed -9 and restarted (mid-burst, mid-release, at random); a worker deployment rolls mid-run. It asserts only
 * that every job completed: the other figures are printed as they are, the truth about the promise.
 */
@Tag("benchmark")
@ExtendWith(RecordedAwsCalls.class)
class ChaosBenchmark {

    @Test
    void everyJobCompletesWhileCoscaleIsKilledAndEveryFaultIsOn() throws Exception {
        List<ChaosFigures> runs = new ArrayList<>();
        for (String mode : List.of("protect", "cooperative")) {
            runs.add(ChaosRuns.run(mode, Bench.knob("chaos.jobs", 100), Bench.knob("chaos.waves", 5),
                    Bench.knob("chaos.clients", 6), Bench.knob("chaos.kills", 6), Long.getLong("bench.chaos.seed", 42L),
                    Duration.ofSeconds(Bench.knob("chaos.max-seconds", 240)), Path.of("target", "chaos")));
        }
        List<String> lines = new ArrayList<>();
        lines.add(String.format(Locale.ROOT, "%-60s %-22s %s", "", "protect", "cooperative"));
        Map<String, String> protect = runs.get(0).rows();
        Map<String, String> cooperative = runs.get(1).rows();
        protect.forEach((label, value) -> lines.add(String.format(Locale.ROOT, "%-60s %-22s %s", label, value,
                cooperative.get(label))));
        for (ChaosFigures run : runs) {
            lines.add(run.mode() + " kills and deployment: " + run.killLog());
            if (!run.outOfBounds().isEmpty()) {
                lines.add(run.mode() + " desiredCount out of [0, 8]: " + run.outOfBounds());
            }
        }
        lines.add("logs of both processes: target/chaos/<mode>-cloud.log, target/chaos/<mode>-coscale.log");
        Figures.print("chaos (coscale in its own process, killed -9 and restarted)", lines);

        for (ChaosFigures run : runs) {
            assertThat(run.everyJobCompleted()).as(run.mode() + ": every job submitted and completed, queue and DLQ "
                    + "empty: " + run.rows()).isTrue();
            assertThat(run.coscaleKills()).as(run.mode() + ": coscale killed -9 and restarted").isGreaterThanOrEqualTo(5);
        }
    }
}
