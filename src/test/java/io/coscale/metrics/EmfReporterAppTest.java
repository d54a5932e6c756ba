package io.coscale.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.coscale.local.LocalCloudTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The running application's meters carry the names the reporter reads them by: the demo pool's line has every metric
 * once the leader has read its queues (a renamed meter would silently drop its CloudWatch metric).
 */
@QuarkusTest
@QuarkusTestResource(LocalCloudTestResource.class)
class EmfReporterAppTest {

    @Inject
    EmfReporter reporter;

    @Test
    void theLeadersLinesCarryEveryMetricOfTheDemoPool() {
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            List<JsonNode> lines = EmfReporterTest.parse(reporter.lines(System.currentTimeMillis()));
            assertThat(lines.get(0).get(EmfLines.LEADER).asDouble()).isEqualTo(1);
            JsonNode demo = lines.stream().filter(l -> l.path(EmfLines.POOL).asText().equals("demo")).findFirst()
                    .orElseThrow();
            assertThat(EmfReporterTest.metricNames(demo)).containsExactlyInAnyOrder(EmfLines.POOL_HEALTHY,
                    EmfLines.DESIRED_TASKS, EmfLines.QUEUE_VISIBLE, EmfLines.DEAD_LETTER_MESSAGES,
                    EmfLines.RELEASE_EXIT, EmfLines.RELEASE_CONTINUE, EmfLines.RELEASE_STAY);
        });
    }
}
