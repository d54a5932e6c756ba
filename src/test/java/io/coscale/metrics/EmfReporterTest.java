package io.coscale.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.coscale.config.MetricsConfig;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The embedded-metric lines' shape, on a registry holding the meters coscale registers, by their names. */
public class EmfReporterTest {

    static final ObjectMapper JSON = new ObjectMapper();

    /** Lines enabled, in {@code namespace}, every minute. */
    public static MetricsConfig config(String namespace) {
        return new MetricsConfig() {
            @Override
            public boolean enabled() {
                return true;
            }

            @Override
            public String namespace() {
                return namespace;
            }

            @Override
            public Duration interval() {
                return Duration.ofSeconds(60);
            }
        };
    }

    @Test
    void theLeaderWritesItsLeadershipTotalsAndOneLinePerPoolEachAValidEmfDocument() throws Exception {
        MeterRegistry registry = new SimpleMeterRegistry();
        Gauge.builder("coscale.leader", () -> 1).register(registry);
        for (String pool : List.of("gpu", "cpu")) {
            Gauge.builder("coscale.pool.healthy", () -> pool.equals("gpu") ? 0 : 1).tag("pool", pool).register(registry);
            Gauge.builder("coscale.pool.desired.tasks", () -> 3).tag("pool", pool).register(registry);
            Gauge.builder("coscale.pool.queue.visible", () -> 7).tag("pool", pool).register(registry);
        }
        Gauge.builder("coscale.dead.letter.messages", () -> 2).tag("pool", "gpu").register(registry);
        Counter exits = Counter.builder("coscale.release.decisions").tag("pool", "gpu").tag("decision", "exit")
                .register(registry);
        exits.increment(4);
        EmfReporter reporter = new EmfReporter(registry, config("coscale/prod"));

        List<JsonNode> lines = parse(reporter.lines(1_700_000_000_000L));

        assertThat(lines).hasSize(3);
        for (JsonNode line : lines) {
            assertValidEmf(line, "coscale/prod", 1_700_000_000_000L);
        }
        JsonNode replica = lines.get(0);
        assertThat(metricNames(replica)).containsExactly(EmfLines.LEADER, EmfLines.UNHEALTHY_POOLS,
                EmfLines.DEAD_LETTER_MESSAGES_TOTAL);
        assertThat(replica.get("_aws").get("CloudWatchMetrics").get(0).get("Dimensions").get(0)).isEmpty();
        assertThat(replica.get(EmfLines.LEADER).asDouble()).isEqualTo(1);
        assertThat(replica.get(EmfLines.UNHEALTHY_POOLS).asDouble()).isEqualTo(1);
        assertThat(replica.get(EmfLines.DEAD_LETTER_MESSAGES_TOTAL).asDouble()).isEqualTo(2);

        JsonNode gpu = lines.stream().filter(l -> l.path(EmfLines.POOL).asText().equals("gpu")).findFirst().orElseThrow();
        assertThat(gpu.get("_aws").get("CloudWatchMetrics").get(0).get("Dimensions").get(0).get(0).asText())
                .isEqualTo(EmfLines.POOL);
        assertThat(metricNames(gpu)).contains(EmfLines.POOL_HEALTHY, EmfLines.DESIRED_TASKS, EmfLines.QUEUE_VISIBLE,
                EmfLines.DEAD_LETTER_MESSAGES, EmfLines.RELEASE_EXIT, EmfLines.RELEASE_CONTINUE, EmfLines.RELEASE_STAY);
        assertThat(gpu.get(EmfLines.POOL_HEALTHY).asDouble()).isEqualTo(0);
        assertThat(gpu.get(EmfLines.RELEASE_EXIT).asDouble()).isEqualTo(4);
        JsonNode cpu = lines.stream().filter(l -> l.path(EmfLines.POOL).asText().equals("cpu")).findFirst().orElseThrow();
        assertThat(metricNames(cpu)).as("a pool without a dead-letter queue has no such metric")
                .doesNotContain(EmfLines.DEAD_LETTER_MESSAGES);

        exits.increment();
        JsonNode next = parse(reporter.lines(1_700_000_060_000L)).stream()
                .filter(l -> l.path(EmfLines.POOL).asText().equals("gpu")).findFirst().orElseThrow();
        assertThat(next.get(EmfLines.RELEASE_EXIT).asDouble()).as("decisions per interval, not since start").isEqualTo(1);
    }

    @Test
    void aFollowerWritesOnlyThatItDoesNotLead() throws Exception {
        MeterRegistry registry = new SimpleMeterRegistry();
        AtomicInteger leads = new AtomicInteger(0);
        Gauge.builder("coscale.leader", leads, AtomicInteger::get).register(registry);
        Gauge.builder("coscale.pool.healthy", () -> 1).tag("pool", "gpu").register(registry);

        List<JsonNode> lines = parse(new EmfReporter(registry, config("coscale/prod")).lines(1L));

        assertThat(lines).hasSize(1);
        assertThat(metricNames(lines.get(0))).containsExactly(EmfLines.LEADER);
        assertThat(lines.get(0).get(EmfLines.LEADER).asDouble()).isEqualTo(0);
    }

    /** What CloudWatch requires of an EMF document: the directive, and a top-level member for each name it uses. */
    static void assertValidEmf(JsonNode line, String namespace, long timestamp) {
        JsonNode aws = line.get("_aws");
        assertThat(aws.get("Timestamp").asLong()).isEqualTo(timestamp);
        JsonNode directive = aws.get("CloudWatchMetrics").get(0);
        assertThat(directive.get("Namespace").asText()).isEqualTo(namespace);
        directive.get("Dimensions").forEach(set -> set.forEach(d -> assertThat(line.has(d.asText())).isTrue()));
        directive.get("Metrics").forEach(m -> {
            assertThat(line.get(m.get("Name").asText()).isNumber()).as(m.toString()).isTrue();
            assertThat(m.get("Unit").asText()).isIn("Count", "None");
        });
    }

    static List<String> metricNames(JsonNode line) {
        List<String> names = new ArrayList<>();
        line.get("_aws").get("CloudWatchMetrics").get(0).get("Metrics").forEach(m -> names.add(m.get("Name").asText()));
        return names;
    }

    static List<JsonNode> parse(List<String> lines) throws Exception {
        List<JsonNode> nodes = new ArrayList<>();
        for (String line : lines) {
            assertThat(line).doesNotContain("\n").startsWith("{");
            nodes.add(JSON.readTree(line));
        }
        return nodes;
    }
}
