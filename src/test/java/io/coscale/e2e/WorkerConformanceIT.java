package io.coscale.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.coscale.e2e.WorkerConformance.Guarantee;
import io.coscale.e2e.WorkerConformance.Row;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The conformance kit on the workers coscale ships, each in a local cloud of its own and all at once: coscale-run
 * around a shell command, the Python example under coscale-run, the shell example under {@code coscale-run --serve},
 * and the in-JVM reference worker; and beside them, in one more cloud, broken workers, each of which must fail the
 * rows of the rule it breaks and only those. With {@code -Dworker.command="…"} (a shell command run as each task) it
 * grades that worker alone: {@code ./mvnw -Pconformance -Dworker.command="…" verify} (see deploy/coscale-run/README.md).
 * <p>
 * coscale is unreachable for {@code -Dconformance.outage} (a minute with {@code -Pconformance}). In the default build
 * it is 20 s, to keep {@code verify} short: that still outlasts the claim retries of the graded workers before a
 * job (coscale-run's are bounded at its heartbeat, 1 s here), three of their heartbeats (visibility extensions every
 * 1 s for coscale-run, 2 s for the reference worker) and four of the queue's 5-second visibility timeouts, which is
 * what the row is about: a worker that neither extends nor finishes its job without coscale runs it twice.
 */
class WorkerConformanceIT {

    /**
     * coscale-run's heartbeat here. A message goes without a visibility extension for up to two heartbeats after its
     * receive (the claim before the job, which coscale's absence draws out to a heartbeat, then the first beat), so
     * two must stay well inside the kit queue's 5 s visibility timeout, also on a loaded machine: with 5 s, a job
     * received during the outage now and then ran twice.
     */
    private static final String ENVIRONMENT = CoscaleRun.environment(1);

    private static final String WORK = "sh -c 'if grep -q fail; then exit 1; fi; sleep 1'";
    /**
     * coscale-run with the kit's settings (short waits, a 1 s heartbeat, the job events the emulator counts) around
     * the command issue 25 names, which works a second and never fails: the failing-job row is n/a for it.
     */
    static final String COSCALE_RUN = CoscaleRun.workerCommand(ENVIRONMENT, "-- sh -c 'cat > /dev/null; sleep 1'");
    /** The same around a command that also fails the kit's failing job: graded on that row alone (see below). */
    static final String COSCALE_RUN_FAILING = CoscaleRun.workerCommand(ENVIRONMENT, "-- " + WORK);
    static final String PYTHON_EXAMPLE = ENVIRONMENT + " exec " + PythonWorkers.command();
    static final String SHELL_EXAMPLE = CoscaleRun.workerCommand(ENVIRONMENT, "--serve -- sh "
            + PythonWorkers.shellQuote(PythonWorkers.deployFile("examples/worker-shell/worker.sh")));
    /**
     * coscale-run behind a shell that ends with {@code exit 3} instead of {@code exec}'ing it: every worker exits
     * non-zero after coscale's {@code exit}, and the stop signal ends the shell at once, so that the task stops with
     * its job still in the orphaned coscale-run's hands.
     */
    static final String NOT_EXECED = COSCALE_RUN_FAILING.replace(" exec ", " ") + "; exit 3";
    static final String RECEIVES_FIRST = broken("receive-first");
    static final String IGNORES_DRAIN = broken("ignore-drain");
    private static final Path LOGS = Path.of("target", "conformance");

    /**
     * A worker command (none: the in-JVM reference worker) graded on some rows, with every SQS call delayed by
     * {@code sqsLatency} at the local cloud's SQS proxy meanwhile (zero: none).
     */
    record Grading(String name, Optional<String> command, List<Guarantee> rows, Duration sqsLatency) {
        Grading(String name, Optional<String> command, List<Guarantee> rows) {
            this(name, command, rows, Duration.ZERO);
        }

        static Grading everyRow(String name, String command) {
            return new Grading(name, Optional.ofNullable(command), List.of(Guarantee.values()));
        }
    }

    /**
     * How long every SQS call takes in the grading of the restart row where a queue read crosses the submission: the
     * reconciler's depth read (a pass every second here, or every two when a pass overruns) then spans most of the time
     * between two passes, so the job's submission often lands inside one (7 times in 7 with this cloud alone, less often
     * beside the other clouds: the grading prints the tasks it started); the read shows the job, its mark predates the
     * job's count, and the job is counted twice: a second, idle task starts beside the one that works it, and exits in
     * turn. Longer, and the job's message could outlast its visibility timeout before coscale-run's first extension.
     */
    static final Duration CROSSING_READS = Duration.ofMillis(900);

    /** Gradings that share one local cloud, one after the other: the tasks' command is swapped between them. */
    record Cloud(String name, List<Grading> gradings) {
        static Cloud of(Grading grading) {
            return new Cloud(grading.name(), List.of(grading));
        }
    }

    /** What a grading must get: the rows that fail, each with a piece of its why, and the rows that are n/a. */
    record Expected(Map<Guarantee, String> failures, List<Guarantee> notApplicable) {
        static final Expected EVERY_ROW_PASSES = new Expected(Map.of(), List.of());
    }

    @Test
    void theWorkersCoscaleShipsKeepEveryGuaranteeAndBrokenOnesFailTheRowsTheyBreak() throws Exception {
        String command = System.getProperty("worker.command", "");
        if (!command.isBlank()) {
            Map<String, List<Row>> grades = gradeConcurrently(List.of(Cloud.of(Grading.everyRow("worker", command))));
            assertThat(grades.get("worker")).as("worker").filteredOn(Row::failed).isEmpty();
            return;
        }
        Map<String, Expected> expected = new LinkedHashMap<>();
        expected.put("coscale-run", new Expected(Map.of(), List.of(Guarantee.FAILING_JOB)));
        expected.put("coscale-run, a queue read crossing the submission", Expected.EVERY_ROW_PASSES);
        expected.put("coscale-run, failing the failing job", Expected.EVERY_ROW_PASSES);
        expected.put("python-example", Expected.EVERY_ROW_PASSES);
        expected.put("shell-example", Expected.EVERY_ROW_PASSES);
        expected.put("reference-worker", Expected.EVERY_ROW_PASSES);
        expected.put("broken: receives before it claims", new Expected(Map.of(
                Guarantee.CLAIM_FIRST, "messages received by a task ECS did not protect",
                Guarantee.CLAIM_403, "the worker received though coscale refused its claim"), List.of()));
        expected.put("broken: ignores drain", new Expected(Map.of(
                Guarantee.DRAIN, "old tasks that take new jobs after drain hold it up"), List.of()));
        expected.put("broken: not exec'd, exits 3", new Expected(Map.of(
                Guarantee.SCALE_IN, "[workers that exited non-zero] expected: ",
                Guarantee.SIGTERM, "[the interrupted worker's exit code] expected: 0 but was: 143"), List.of()));

        Map<String, List<Row>> grades = gradeConcurrently(List.of(
                // The two commands differ only on the failing job, which no other row submits. The restart row again
                // with the job counted twice: two tasks, two exits, each counted once.
                new Cloud("coscale-run", List.of(Grading.everyRow("coscale-run", COSCALE_RUN),
                        new Grading("coscale-run, a queue read crossing the submission", Optional.of(COSCALE_RUN),
                                List.of(Guarantee.RESTART), CROSSING_READS),
                        new Grading("coscale-run, failing the failing job", Optional.of(COSCALE_RUN_FAILING),
                                List.of(Guarantee.FAILING_JOB)))),
                Cloud.of(Grading.everyRow("python-example", PYTHON_EXAMPLE)),
                Cloud.of(Grading.everyRow("shell-example", SHELL_EXAMPLE)),
                Cloud.of(Grading.everyRow("reference-worker", null)),
                // Each broken worker on the rows of its rule and a row it keeps (duplicate), the one that leaves a job
                // behind (not exec'd: the job the SIGKILL caught) last.
                new Cloud("broken", List.of(
                        new Grading("broken: receives before it claims", Optional.of(RECEIVES_FIRST),
                                List.of(Guarantee.CLAIM_FIRST, Guarantee.CLAIM_403, Guarantee.DUPLICATE)),
                        new Grading("broken: ignores drain", Optional.of(IGNORES_DRAIN),
                                List.of(Guarantee.DRAIN, Guarantee.DUPLICATE)),
                        new Grading("broken: not exec'd, exits 3", Optional.of(NOT_EXECED),
                                List.of(Guarantee.SCALE_IN, Guarantee.SIGTERM))))));

        assertThat(grades.keySet()).containsExactlyInAnyOrderElementsOf(expected.keySet());
        expected.forEach((name, e) -> {
            List<Row> rows = grades.get(name);
            assertThat(rows).as("%s: the rows that fail", name).filteredOn(Row::failed).extracting(Row::guarantee)
                    .containsExactlyInAnyOrderElementsOf(e.failures().keySet());
            assertThat(rows).as("%s: the rows that are n/a", name).filteredOn(Row::notApplicable)
                    .extracting(Row::guarantee).containsExactlyInAnyOrderElementsOf(e.notApplicable());
            rows.stream().filter(Row::failed).forEach(r -> assertThat(r.why()).as("%s: why %s fails", name,
                    r.guarantee().id).contains(e.failures().get(r.guarantee())));
        });
    }

    private static long grown(JsonNode before, JsonNode after, String counter) {
        return after.path(counter).asLong() - before.path(counter).asLong();
    }

    /**
     * coscale-run with one rule broken ({@code src/test/conformance/broken_worker.py}), the kit's settings, around the
     * command that works a second.
     */
    private static String broken(String rule) {
        Path script = Path.of(System.getProperty("basedir", "")).toAbsolutePath()
                .resolve("src/test/conformance/broken_worker.py").normalize();
        return ENVIRONMENT + " exec " + PythonWorkers.python() + " -B " + PythonWorkers.shellQuote(script)
                + " " + rule + " -- " + WORK;
    }

    /**
     * Grades each cloud's workers in a local cloud of its own, all clouds at once, and prints each grading's rows;
     * returns the rows by grading.
     */
    static Map<String, List<Row>> gradeConcurrently(List<Cloud> clouds) throws Exception {
        Duration outage = Duration.parse("PT" + System.getProperty("conformance.outage", "20s").toUpperCase());
        ExecutorService pool = Executors.newFixedThreadPool(clouds.size());
        try {
            List<Future<Map<String, List<Row>>>> running = new ArrayList<>();
            for (Cloud c : clouds) {
                running.add(pool.submit(() -> grade(c, outage)));
            }
            Map<String, List<Row>> grades = new LinkedHashMap<>();
            for (Future<Map<String, List<Row>>> f : running) {
                grades.putAll(f.get());
            }
            return grades;
        } finally {
            pool.shutdownNow();
        }
    }

    private static Map<String, List<Row>> grade(Cloud c, Duration outage) throws Exception {
        long started = System.nanoTime();
        Map<String, List<Row>> grades = new LinkedHashMap<>();
        try (ConformanceCloud cloud = ConformanceCloud.start(c.name(), c.gradings().get(0).command(), LOGS)) {
            for (Grading g : c.gradings()) {
                g.command().ifPresent(cloud::worker);
                cloud.sqsLatency(g.sqsLatency());
                JsonNode before = cloud.stats();
                List<Row> rows = new WorkerConformance(cloud, outage).grade(g.rows());
                cloud.sqsLatency(Duration.ZERO);
                System.out.print(WorkerConformance.report(g.name() + ": " + g.command().orElse("the in-JVM reference worker"),
                        rows));
                if (!g.sqsLatency().isZero()) {
                    JsonNode after = cloud.stats();
                    System.out.printf("  (every SQS call slowed by %d ms: %s tasks started, %s stopped with an exit record,"
                            + " the count lowered by %s)%n", g.sqsLatency().toMillis(), grown(before, after, "tasksStarted"),
                            grown(before, after, "exitRecordsStopped"), grown(before, after, "desiredCountLowered"));
                }
                grades.put(g.name(), rows);
            }
        }
        System.out.printf("  (%s: %d s with its local cloud's start: %s)%n", c.name(),
                (System.nanoTime() - started) / 1_000_000_000,
                c.gradings().stream().map(Grading::name).collect(Collectors.joining(", ")));
        return grades;
    }
}
