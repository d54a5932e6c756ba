package io.coscale.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.quarkus.runtime.configuration.DurationConverter;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The factory as SmallRye Config runs it at start-up: a pool defined only in a pools document reaches
 * {@link PoolsConfig} with every key, from the setting or from a file, and a broken document stops the build of
 * the configuration with a message naming where it came from.
 */
class PoolsJsonConfigSourceFactoryTest {

    private static final String GPU = """
            {"pools": {"gpu": {"cluster": "workers", "service": "gpu-workers",
              "queue-url": "https://sqs.eu-west-1.amazonaws.com/123456789012/gpu-jobs",
              "mode": "cooperative", "min-tasks": 1, "max-tasks": 4, "messages-per-task": 2,
              "protection-minutes": 600, "scale-in-idle": "2m"}}}
            """;

    @TempDir
    Path dir;

    private static SmallRyeConfig config(Map<String, String> settings) {
        return new SmallRyeConfigBuilder()
                // Below the factory's sources, as application.properties is.
                .withSources(new PropertiesConfigSource(settings, "settings", 250))
                .withSources(new PoolsJsonConfigSourceFactory())
                // Quarkus's spelling of durations ("60s"), as coscale reads them.
                .withConverter(Duration.class, 100, new DurationConverter())
                .withMapping(PoolsConfig.class)
                .build();
    }

    @Test
    void aPoolDefinedOnlyInTheJsonSettingIsMappedWithEveryKey() {
        PoolsConfig pools = config(Map.of("coscale.pools-json", GPU)).getConfigMapping(PoolsConfig.class);

        assertThat(pools.pools()).containsOnlyKeys("gpu");
        PoolsConfig.PoolConfig gpu = pools.pools().get("gpu");
        assertThat(gpu.cluster()).isEqualTo("workers");
        assertThat(gpu.service()).isEqualTo("gpu-workers");
        assertThat(gpu.queueUrl()).contains("https://sqs.eu-west-1.amazonaws.com/123456789012/gpu-jobs");
        assertThat(gpu.queueName()).isEmpty();
        assertThat(gpu.mode()).isEqualTo("cooperative");
        assertThat(gpu.minTasks()).isEqualTo(1);
        assertThat(gpu.maxTasks()).isEqualTo(4);
        assertThat(gpu.messagesPerTask()).isEqualTo(2);
        assertThat(gpu.protectionMinutes()).isEqualTo(600);
        assertThat(gpu.scaleInIdle()).isEqualTo(Duration.ofMinutes(2));
    }

    @Test
    void unsetKeysKeepPoolsConfigDefaults() {
        String minimal = "{\"pools\": {\"cpu\": {\"cluster\": \"c\", \"service\": \"s\", \"queue-name\": \"q\", \"max-tasks\": 3}}}";
        PoolsConfig.PoolConfig cpu = config(Map.of("coscale.pools-json", minimal)).getConfigMapping(PoolsConfig.class)
                .pools().get("cpu");
        assertThat(cpu.minTasks()).isZero();
        assertThat(cpu.mode()).isEqualTo("protect");
        assertThat(cpu.protectionMinutes()).isEqualTo(120);
    }

    @Test
    void aPoolsFileAndTheJsonSettingAddUp() throws IOException {
        Path file = Files.writeString(dir.resolve("pools.json"), GPU);
        String other = "{\"pools\": {\"cpu\": {\"cluster\": \"c\", \"service\": \"s\", \"queue-name\": \"q\", \"max-tasks\": 3}}}";
        PoolsConfig pools = config(Map.of("coscale.pools-file", file.toString(), "coscale.pools-json", other))
                .getConfigMapping(PoolsConfig.class);
        assertThat(pools.pools()).containsOnlyKeys("gpu", "cpu");
    }

    @Test
    void poolsFromPropertiesAndFromTheDocumentLiveSideBySide() {
        Map<String, String> settings = new HashMap<>(Map.of("coscale.pools-json", GPU));
        settings.putAll(Map.of("coscale.pools.demo.cluster", "local", "coscale.pools.demo.service", "demo",
                "coscale.pools.demo.queue-name", "demo", "coscale.pools.demo.max-tasks", "8"));
        assertThat(config(settings).getConfigMapping(PoolsConfig.class).pools()).containsOnlyKeys("gpu", "demo");
    }

    @Test
    void oneKeyOfTheDocumentCanBeOverriddenFromAHigherSource() {
        SmallRyeConfig config = new SmallRyeConfigBuilder()
                .withSources(new PropertiesConfigSource(Map.of("coscale.pools-json", GPU), "settings", 250))
                .withSources(new PropertiesConfigSource(Map.of("coscale.pools.gpu.max-tasks", "9"), "environment", 300))
                .withSources(new PoolsJsonConfigSourceFactory())
                // Quarkus's spelling of durations ("60s"), as coscale reads them.
                .withConverter(Duration.class, 100, new DurationConverter())
                .withMapping(PoolsConfig.class)
                .build();
        assertThat(config.getConfigMapping(PoolsConfig.class).pools().get("gpu").maxTasks()).isEqualTo(9);
    }

    @Test
    void malformedJsonStopsStartUpNamingTheSetting() {
        assertThatThrownBy(() -> config(Map.of("coscale.pools-json", "{\"pools\": {\"gpu\": ")))
                .hasStackTraceContaining("coscale.pools-json (COSCALE_POOLS_JSON): malformed JSON");
    }

    @Test
    void malformedFileStopsStartUpNamingItsPath() throws IOException {
        Path file = Files.writeString(dir.resolve("pools.json"), "pools: {}");
        assertThatThrownBy(() -> config(Map.of("coscale.pools-file", file.toString())))
                .hasStackTraceContaining("coscale.pools-file (" + file + "): malformed JSON");
    }

    @Test
    void aMissingFileStopsStartUpNamingItsPath() {
        Path missing = dir.resolve("nowhere.json");
        assertThatThrownBy(() -> config(Map.of("coscale.pools-file", missing.toString())))
                .hasStackTraceContaining("coscale.pools-file (" + missing + "): cannot read the pools file");
    }

    @Test
    void aPoolDefinedInBothPlacesIsRefused() throws IOException {
        Path file = Files.writeString(dir.resolve("pools.json"), GPU);
        assertThatThrownBy(() -> config(Map.of("coscale.pools-file", file.toString(), "coscale.pools-json", GPU)))
                .hasStackTraceContaining("pools [gpu] are defined in both coscale.pools-file and coscale.pools-json");
    }

    @Test
    void neitherSettingMeansNoExtraSource() {
        assertThat(config(Map.of()).getConfigMapping(PoolsConfig.class).pools()).isEmpty();
    }
}
