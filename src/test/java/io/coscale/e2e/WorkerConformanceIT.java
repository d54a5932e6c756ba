package io.coscale.e2e;

import static org.assertj.core.api.Assertions.assertThat;

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
import org.junit.jupiter.api.Test;

/**
 * The conformance kit on the workers coscale ships, each in a local cloud of its own and all at once: coscale-run
 * around a shell command, the Python example under coscale-run, and the in-JVM reference worker; and beside them a
 * broken worker, which must fail the rows it breaks. With {@code -Dworker.command="…"} (a shell command run as each
 * task) it grades that worker alone: {@code ./mvnw -Pconformance -Dworker.command="…" verify} (see
 * deploy/coscale-run/README.md).
 * <p>
 * coscale is unreachable for {@code -Dconformance.outage} (a minute with {@code -Pconformance}). In the default build
 * it is 20 s, to keep {@code verify} short: that still outlasts the claim retries of the graded workers before a
 * job (coscale-run's are bounded at its heartbeat, 5 s here), three of their heartbeats (visibility extensions every
 * 5 s for coscale-run, 2 s for the reference worker) and four of the queue's 5-second visibility timeouts, which is
 * what the row is about: a worker that neither extends nor finishes its job without coscale runs it twice.
 */
class WorkerConformanceIT {

    /**
     * coscale-run with the kit's settings (short waits, a 5 s heartbeat, the job events the emulator counts) around a
     * shell command that works a second, or fails the kit's failing job.
     */
    static final String COSCALE_RUN = CoscaleRun.workerCommand("-- sh -c 'if grep -q fail; then exit 1; fi; sleep 1'");
    static final String PYTHON_EXAMPLE = CoscaleRun.ENVIRONMENT + " exec " + PythonWorkers.command();
    /**
     * coscale-run behind a shell that ends with {@code exit 3} instead of {@code exec}'ing it: every worker exits
     * non-zero after coscale's {@code exit}, and the stop signal ends the shell at once, so that the task stops with
     * its job still in the orphaned coscale-run's hands.
     */
    static final String BROKEN = COSCALE_RUN.replace(" exec ", " ") + "; exit 3";
    private static final List<Guarantee> BROKEN_ROWS = List.of(Guarantee.SCALE_IN, Guarantee.SIGTERM);
    private static final Path LOGS = Path.of("target", "conformance");

    /** A worker to grade: its local cloud's name, its command (none: the in-JVM reference worker), the rows. */
    record Worker(String name, Optional<String> command, List<Guarantee> guarantees) {
        static Worker of(String name, String command) {
            return new Worker(name, Optional.ofNullable(command), List.of(Guarantee.values()));
        }
    }

    @Test
    void theWorkersCoscaleShipsKeepEveryGuaranteeAndABrokenOneFailsTheRowsItBreaks() throws Exception {
        String command = System.getProperty("worker.command", "");
        List<Worker> workers = new ArrayList<>();
        if (command.isBlank()) {
            workers.add(Worker.of("coscale-run", COSCALE_RUN));
            workers.add(Worker.of("python-example", PYTHON_EXAMPLE));
            workers.add(Worker.of("reference-worker", null));
            workers.add(new Worker("broken", Optional.of(BROKEN), BROKEN_ROWS));
        } else {
            workers.add(Worker.of("worker", command));
        }
        Map<String, List<Row>> grades = gradeConcurrently(workers);
        grades.forEach((worker, rows) -> {
            if (worker.equals("broken")) {
                assertThat(rows).as(worker).filteredOn(Row::failed).extracting(Row::guarantee).isEqualTo(BROKEN_ROWS);
            } else {
                assertThat(rows).as(worker).filteredOn(Row::failed).isEmpty();
            }
        });
    }

    /** Grades each worker in a local cloud of its own, all at once, and prints each one's rows. */
    static Map<String, List<Row>> gradeConcurrently(List<Worker> workers) throws Exception {
        Duration outage = Duration.parse("PT" + System.getProperty("conformance.outage", "20s").toUpperCase());
        ExecutorService pool = Executors.newFixedThreadPool(workers.size());
        try {
            Map<String, Future<List<Row>>> running = new LinkedHashMap<>();
            for (Worker w : workers) {
                running.put(w.name(), pool.submit(() -> {
                    long started = System.nanoTime();
                    try (ConformanceCloud cloud = ConformanceCloud.start(w.name(), w.command(), LOGS)) {
                        List<Row> rows = new WorkerConformance(cloud, outage).grade(w.guarantees());
                        System.out.print(WorkerConformance.report(w.command().orElse("the in-JVM reference worker"), rows)
                                + String.format("  (%s: %d s with its local cloud's start)%n", w.name(),
                                        (System.nanoTime() - started) / 1_000_000_000));
                        return rows;
                    }
                }));
            }
            Map<String, List<Row>> grades = new LinkedHashMap<>();
            for (Map.Entry<String, Future<List<Row>>> e : running.entrySet()) {
                grades.put(e.getKey(), e.getValue().get());
            }
            return grades;
        } finally {
            pool.shutdownNow();
        }
    }
}
