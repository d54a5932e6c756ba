package io.coscale.control;

import static org.assertj.core.api.Assertions.assertThat;

import io.coscale.config.PoolsConfig;
import io.coscale.config.PoolsJsonConfigSourceFactory;
import io.coscale.domain.Mode;
import io.coscale.domain.Pool;
import io.quarkus.runtime.configuration.DurationConverter;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A pool that exists only in COSCALE_POOLS_JSON (the SSM parameter on ECS) loads like any other. */
class PoolLoaderJsonTest {

    @Test
    void aPoolDefinedOnlyInThePoolsDocumentLoads() {
        String json = """
                {"pools": {"gpu": {"cluster": "workers", "service": "gpu-workers",
                  "queue-url": "https://sqs.eu-west-1.amazonaws.com/123456789012/gpu-jobs",
                  "mode": "protect", "min-tasks": 0, "max-tasks": 4, "messages-per-task": 1}}}
                """;
        PoolsConfig config = new SmallRyeConfigBuilder()
                .withSources(new PropertiesConfigSource(Map.of("coscale.pools-json", json), "environment", 300))
                .withSources(new PoolsJsonConfigSourceFactory())
                // Quarkus's spelling of durations ("60s"), as coscale reads them.
                .withConverter(Duration.class, 100, new DurationConverter())
                .withMapping(PoolsConfig.class)
                .build()
                .getConfigMapping(PoolsConfig.class);

        List<Pool> pools = PoolLoader.load(config, null);

        assertThat(pools).hasSize(1);
        Pool gpu = pools.get(0);
        assertThat(gpu.name()).isEqualTo("gpu");
        assertThat(gpu.cluster()).isEqualTo("workers");
        assertThat(gpu.service()).isEqualTo("gpu-workers");
        assertThat(gpu.queueUrl()).isEqualTo("https://sqs.eu-west-1.amazonaws.com/123456789012/gpu-jobs");
        assertThat(gpu.mode()).isEqualTo(Mode.PROTECT);
        assertThat(gpu.maxTasks()).isEqualTo(4);
    }
}
