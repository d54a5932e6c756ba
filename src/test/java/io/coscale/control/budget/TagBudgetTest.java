package io.coscale.control.budget;

import static org.assertj.core.api.Assertions.assertThat;

import io.coscale.config.EcsConfig;
import io.quarkus.runtime.configuration.DurationConverter;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The TagResource budget takes its size from coscale.ecs.tags.*, unless set a little below ECS's own limit (20, 10/s). */
class TagBudgetTest {

    @Test
    void theSettingsSizeTheBudget() {
        EcsBudget budget = EcsBudget.tags(config(Map.of("coscale.ecs.tags.burst", "3",
                "coscale.ecs.tags.rate-per-second", "0.01")));
        try {
            List<CompletableFuture<Void>> turns = Stream.generate(budget::acquire).limit(4).toList();

            assertThat(turns).as("the burst at once; the fourth waits 100 s for its token")
                    .filteredOn(CompletableFuture::isDone).containsExactlyElementsOf(turns.subList(0, 3));
        } finally {
            budget.close();
        }
    }

    @Test
    void unsetItKeepsAMarginBelowEcsOwnLimit() {
        EcsConfig.Tags tags = config(Map.of()).tags();

        assertThat(tags.burst()).isEqualTo(19);
        assertThat(tags.ratePerSecond()).isEqualTo(9);
    }

    private static EcsConfig config(Map<String, String> properties) {
        return new SmallRyeConfigBuilder()
                .withSources(new PropertiesConfigSource(properties, "test", 300))
                // Quarkus's spelling of durations ("5s"), as coscale reads them.
                .withConverter(Duration.class, 100, new DurationConverter())
                .withMapping(EcsConfig.class)
                .build()
                .getConfigMapping(EcsConfig.class);
    }
}
