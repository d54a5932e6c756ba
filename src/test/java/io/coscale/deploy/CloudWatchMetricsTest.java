package io.coscale.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.coscale.metrics.EmfReporter;
import io.coscale.metrics.EmfReporterTest;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * coscale.yaml's alarms on coscale's own metrics read what coscale writes: the namespace the task definition gives
 * coscale is the alarms' namespace, and each alarm's metric is one the leader's embedded-metric line carries, without
 * dimensions as the alarm asks for none (metrics a log metric filter makes are the filter's, not coscale's lines').
 */
class CloudWatchMetricsTest {

    static final Map<String, String> NAMESPACE = Map.of("Fn::Sub", "coscale/${AWS::StackName}");

    @Test
    void everyAlarmOnCoscalesNamespaceReadsAMetricTheLeadersLineCarries() throws Exception {
        CfnTemplate coscale = CfnTemplate.load(Walkthrough.COSCALE_TEMPLATE);
        Map<String, Object> container = CfnTemplate.asMap(
                CfnTemplate.list(coscale.properties("TaskDefinition").get("ContainerDefinitions")).get(0));
        Map<String, Object> environment = new java.util.HashMap<>();
        CfnTemplate.list(container.get("Environment")).forEach(e -> {
            Map<String, Object> entry = CfnTemplate.asMap(e);
            environment.put(String.valueOf(entry.get("Name")), entry.get("Value"));
        });
        assertThat(environment).containsEntry("COSCALE_METRICS_EMF_ENABLED", "true")
                .containsEntry("COSCALE_METRICS_EMF_NAMESPACE", NAMESPACE);

        Set<String> filtered = new HashSet<>();
        for (String id : coscale.resourcesOfType("AWS::Logs::MetricFilter")) {
            CfnTemplate.list(coscale.properties(id).get("MetricTransformations"))
                    .forEach(t -> filtered.add(String.valueOf(CfnTemplate.asMap(t).get("MetricName"))));
        }
        Set<String> written = leaderLineMetrics();
        int alarms = 0;
        for (String id : coscale.resourcesOfType("AWS::CloudWatch::Alarm")) {
            Map<String, Object> alarm = coscale.properties(id);
            String metric = String.valueOf(alarm.get("MetricName"));
            if (!NAMESPACE.equals(alarm.get("Namespace")) || filtered.contains(metric)) {
                continue;
            }
            alarms++;
            assertThat(written).as(id).contains(metric);
            assertThat(alarm).as(id + " asks for dimensions the line has none of").doesNotContainKey("Dimensions");
        }
        assertThat(alarms).as("alarms on coscale's embedded metrics: no leader, unhealthy pools").isEqualTo(2);
    }

    /** The metrics of the first line a leading replica with one pool writes. */
    private static Set<String> leaderLineMetrics() throws Exception {
        MeterRegistry registry = new SimpleMeterRegistry();
        Gauge.builder("coscale.leader", () -> 1).register(registry);
        Gauge.builder("coscale.pool.healthy", () -> 1).tag("pool", "gpu").register(registry);
        List<String> lines = new EmfReporter(registry, EmfReporterTest.config("coscale/coscale")).lines(0L);
        JsonNode replica = new ObjectMapper().readTree(lines.get(0));
        Set<String> names = new HashSet<>();
        replica.get("_aws").get("CloudWatchMetrics").get(0).get("Metrics").forEach(m -> names.add(m.get("Name").asText()));
        assertThat(replica.get("_aws").get("CloudWatchMetrics").get(0).get("Dimensions").get(0)).isEmpty();
        return names;
    }
}
