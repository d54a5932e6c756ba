package io.coscale.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.coscale.config.PoolsConfig;
import io.coscale.domain.Mode;
import io.coscale.domain.Pool;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Pool configuration: valid pools load; every mistake stops start-up with a message naming the key. */
class PoolLoaderTest {

    private record Config(String cluster, String service, Optional<String> queueUrl, Optional<String> queueName,
            int minTasks, int maxTasks, String mode, int messagesPerTask, int protectionMinutes, Duration scaleInIdle)
            implements PoolsConfig.PoolConfig {

        static Config valid() {
            return new Config("c", "s", Optional.of("http://q/1/jobs"), Optional.empty(), 0, 4, "protect", 1, 120,
                    Duration.ofSeconds(60));
        }

        Config withMode(String m) {
            return new Config(cluster, service, queueUrl, queueName, minTasks, maxTasks, m, messagesPerTask,
                    protectionMinutes, scaleInIdle);
        }

        Config withBounds(int min, int max) {
            return new Config(cluster, service, queueUrl, queueName, min, max, mode, messagesPerTask, protectionMinutes,
                    scaleInIdle);
        }

        Config withService(String c, String s) {
            return new Config(c, s, queueUrl, queueName, minTasks, maxTasks, mode, messagesPerTask, protectionMinutes,
                    scaleInIdle);
        }

        Config withQueue(Optional<String> url, Optional<String> name) {
            return new Config(cluster, service, url, name, minTasks, maxTasks, mode, messagesPerTask, protectionMinutes,
                    scaleInIdle);
        }
    }

    private static List<Pool> load(String name, Config config) {
        return load(Map.of(name, config));
    }

    private static List<Pool> load(Map<String, PoolsConfig.PoolConfig> configs) {
        PoolsConfig pools = () -> configs;
        return PoolLoader.load(pools, null);
    }

    @Test
    void aValidPoolLoads() {
        Pool pool = load("demo", Config.valid().withMode("COOPERATIVE")).get(0);
        assertThat(pool.name()).isEqualTo("demo");
        assertThat(pool.mode()).isEqualTo(Mode.COOPERATIVE);
        assertThat(pool.queueUrl()).isEqualTo("http://q/1/jobs");
    }

    @Test
    void mistakesNameTheKey() {
        assertThatThrownBy(() -> load("demo", Config.valid().withMode("eager")))
                .hasMessageContaining("coscale.pools.demo.mode");
        assertThatThrownBy(() -> load("demo", Config.valid().withBounds(5, 4)))
                .hasMessageContaining("coscale.pools.demo.");
        assertThatThrownBy(() -> load("demo", Config.valid().withBounds(0, 0)))
                .hasMessageContaining("coscale.pools.demo.max-tasks");
        assertThatThrownBy(() -> load("demo", Config.valid().withQueue(Optional.empty(), Optional.empty())))
                .hasMessageContaining("coscale.pools.demo.queue-url").hasMessageContaining("queue-name");
        assertThatThrownBy(() -> load("demo", Config.valid().withQueue(Optional.of("http://q"), Optional.of("q"))))
                .hasMessageContaining("set exactly one");
        assertThatThrownBy(() -> load("bad name!", Config.valid()))
                .hasMessageContaining("coscale.pools.bad name!");
    }

    @Test
    void twoPoolsOnOneServiceAreRefusedNamingBothKeys() {
        // Two controllers writing one desiredCount would undo each other's changes and both count its exits.
        assertThatThrownBy(() -> load(Map.of("a", Config.valid(), "b", Config.valid())))
                .hasMessageContaining("coscale.pools.a.service and coscale.pools.b.service")
                .hasMessageContaining("cluster 'c' service 's'");
    }

    @Test
    void aClusterGivenByNameAndByArnIsTheSameCluster() {
        String arn = "arn:aws:ecs:us-east-1:123456789012:cluster/c";
        assertThatThrownBy(() -> load(Map.of("a", Config.valid(), "b", Config.valid().withService(arn, "s"))))
                .hasMessageContaining("coscale.pools.a.service and coscale.pools.b.service");
    }

    @Test
    void theSameServiceNameInOtherClustersOrOtherServicesInOneClusterLoad() {
        assertThat(load(Map.of("a", Config.valid(), "b", Config.valid().withService("c2", "s"),
                "d", Config.valid().withService("c", "s2")))).hasSize(3);
    }
}
