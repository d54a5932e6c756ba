package io.coscale.metrics;

import io.coscale.config.MetricsConfig;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.scheduler.Scheduled;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.jboss.logging.Logger;

/**
 * Writes coscale's health, leadership, dead letters and release decisions as CloudWatch embedded metric format lines
 * ({@link EmfLines}) to standard output every {@code coscale.metrics.emf.interval}, when {@code coscale.metrics.emf.enabled}.
 * The figures are the Prometheus meters' own, read from the registry by name: every replica writes {@code Leader};
 * the leader alone, whose pool figures are current, also writes the pool metrics and the two totals the alarms read.
 */
@Singleton
public class EmfReporter {

    private static final Logger LOG = Logger.getLogger(EmfReporter.class);
    private static final Map<String, String> DECISIONS = Map.of("exit", EmfLines.RELEASE_EXIT,
            "continue", EmfLines.RELEASE_CONTINUE, "stay", EmfLines.RELEASE_STAY);

    private final MeterRegistry registry;
    private final MetricsConfig config;
    private final PrintStream out;
    // @GuardedBy("this"); "<pool> <decision>" to the counter's value at the last line, for per-interval counts.
    private final Map<String, Double> lastCounts = new HashMap<>();

    @Inject
    public EmfReporter(MeterRegistry registry, MetricsConfig config) {
        this(registry, config, System.out);
    }

    EmfReporter(MeterRegistry registry, MetricsConfig config, PrintStream out) {
        this.registry = registry;
        this.config = config;
        this.out = out;
    }

    @Scheduled(every = "${coscale.metrics.emf.interval:60s}", delayed = "${coscale.metrics.emf.interval:60s}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void emit() {
        if (!config.enabled()) {
            return;
        }
        try {
            // println writes each line whole: CloudWatch Logs takes every line as one event.
            lines(System.currentTimeMillis()).forEach(out::println);
        } catch (RuntimeException e) {
            LOG.warnf(e, "CloudWatch metric lines not written");
        }
    }

    /** This interval's lines: the replica's, then one per pool on the leader. */
    public synchronized List<String> lines(long nowMillis) {
        List<String> lines = new ArrayList<>();
        Gauge leaderGauge = registry.find("coscale.leader").gauge();
        boolean leads = leaderGauge != null && leaderGauge.value() == 1;
        Map<String, Double> replica = new LinkedHashMap<>();
        replica.put(EmfLines.LEADER, leads ? 1.0 : 0.0);
        if (!leads) {
            lines.add(EmfLines.line(config.namespace(), nowMillis, Map.of(), replica, Set.of()));
            return lines;
        }
        Set<String> pools = new TreeSet<>();
        registry.find("coscale.pool.healthy").gauges().forEach(g -> pools.add(g.getId().getTag("pool")));
        double unhealthy = 0;
        double deadLetters = 0;
        List<String> poolLines = new ArrayList<>();
        for (String pool : pools) {
            Map<String, Double> metrics = new LinkedHashMap<>();
            double healthy = gauge("coscale.pool.healthy", pool);
            metrics.put(EmfLines.POOL_HEALTHY, healthy);
            metrics.put(EmfLines.DESIRED_TASKS, gauge("coscale.pool.desired.tasks", pool));
            metrics.put(EmfLines.QUEUE_VISIBLE, gauge("coscale.pool.queue.visible", pool));
            double dead = gauge("coscale.dead.letter.messages", pool);
            metrics.put(EmfLines.DEAD_LETTER_MESSAGES, dead);
            DECISIONS.forEach((decision, name) -> metrics.put(name, decisionsSinceLast(pool, decision)));
            unhealthy += healthy == 0 ? 1 : 0;
            deadLetters += Double.isNaN(dead) ? 0 : dead;
            poolLines.add(EmfLines.line(config.namespace(), nowMillis, Map.of(EmfLines.POOL, pool), metrics,
                    Set.copyOf(DECISIONS.values())));
        }
        replica.put(EmfLines.UNHEALTHY_POOLS, unhealthy);
        replica.put(EmfLines.DEAD_LETTER_MESSAGES_TOTAL, deadLetters);
        lines.add(EmfLines.line(config.namespace(), nowMillis, Map.of(), replica, Set.of()));
        lines.addAll(poolLines);
        return lines;
    }

    private double gauge(String name, String pool) {
        Gauge gauge = registry.find(name).tag("pool", pool).gauge();
        return gauge == null ? Double.NaN : gauge.value();
    }

    private double decisionsSinceLast(String pool, String decision) {
        Counter counter = registry.find("coscale.release.decisions").tag("pool", pool).tag("decision", decision)
                .counter();
        double now = counter == null ? 0 : counter.count();
        Double before = lastCounts.put(pool + " " + decision, now);
        return before == null ? now : now - before;
    }
}
