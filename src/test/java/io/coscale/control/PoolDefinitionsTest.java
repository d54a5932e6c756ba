package io.coscale.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.coscale.domain.Mode;
import io.coscale.domain.Pool;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** A pool's definition through the API is read by the pools document's rules, and written back in one form. */
class PoolDefinitionsTest {

    static final String QUEUE = "https://sqs.us-east-1.amazonaws.com/123456789012/coscale-pool-render";

    @Test
    void aDefinitionTakesTheDocumentsDefaultsAndRoundTripsThroughItsCanonicalForm() {
        Pool pool = PoolDefinitions.parse("render", "{\"cluster\": \"workers\", \"service\": \"coscale-pool-render\", "
                + "\"queue-url\": \"" + QUEUE + "\", \"max-tasks\": 20, \"scale-in-idle\": \"90s\"}", null);

        assertThat(pool).isEqualTo(new Pool("render", "workers", "coscale-pool-render", QUEUE, 0, 20, Mode.PROTECT, 1, 120,
                Duration.ofSeconds(90)));
        assertThat(PoolDefinitions.parse("render", PoolDefinitions.canonical(pool), null)).isEqualTo(pool);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "not JSON                 | {\"cluster\": | malformed JSON",
            "not an object            | [1, 2]      | expected a JSON object",
            "a key the pools lack     | {\"cluster\": \"c\", \"service\": \"s\", \"queue-url\": \"q\", \"max-tasks\": 1, \"max-task\": 2} | max-task",
            "a required key missing   | {\"cluster\": \"c\", \"service\": \"s\", \"queue-url\": \"q\"} | max-tasks",
            "a number that is not one | {\"cluster\": \"c\", \"service\": \"s\", \"queue-url\": \"q\", \"max-tasks\": \"many\"} | max-tasks"})
    void whatIsNotADefinitionIsMalformedAndTheReasonNamesTheKey(String row, String json, String reason) {
        assertThatThrownBy(() -> PoolDefinitions.parse("render", json, null))
                .isInstanceOf(PoolDefinitions.MalformedDefinition.class).hasMessageContaining(reason);
    }

    @Test
    void aDefinitionThatBreaksAPoolRuleIsRefusedWithTheKey() {
        assertThatThrownBy(() -> PoolDefinitions.parse("render", "{\"cluster\": \"c\", \"service\": \"s\", \"queue-url\": "
                + "\"q\", \"min-tasks\": 5, \"max-tasks\": 2}", null))
                .isNotInstanceOf(PoolDefinitions.MalformedDefinition.class)
                .hasMessageContaining("coscale.pools.render.min-tasks");
        assertThatThrownBy(() -> PoolDefinitions.parse("a.b", "{}", null)).hasMessageContaining("pool names are");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', nullValues = "-", value = {
            "no convention                     | -               | -                | -       | workers | -",
            "inside every prefix               | coscale-pool-   | coscale-pool-    | workers | workers | -",
            "a queue outside its prefix        | other-          | -                | -       | workers | queue-prefix",
            "a service outside its prefix      | -               | other-           | -       | workers | service-prefix",
            "another cluster                   | -               | -                | workers | batch   | coscale.pool-data.cluster"})
    void theNamingConventionIsThePolicysPrefixes(String row, String queuePrefix, String servicePrefix, String cluster,
            String poolCluster, String refused) {
        Pool pool = new Pool("render", poolCluster, "coscale-pool-render", QUEUE, 0, 1, Mode.PROTECT, 1, 120, Duration.ZERO);

        Optional<String> refusal = PoolChecks.naming(pool, Optional.ofNullable(queuePrefix),
                Optional.ofNullable(servicePrefix), Optional.ofNullable(cluster));

        if (refused == null) {
            assertThat(refusal).isEmpty();
        } else {
            assertThat(refusal).hasValueSatisfying(r -> assertThat(r).contains(refused));
        }
    }
}
