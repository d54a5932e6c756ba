package io.coscale.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** A pools document flattens into coscale.pools.* properties; a broken one names its source and what is wrong. */
class PoolsJsonTest {

    @Test
    void aPoolBecomesOnePropertyPerKeyWithNumbersAsTheirText() {
        String json = """
                {"pools": {"gpu": {"cluster": "workers", "service": "gpu-workers",
                  "queue-url": "https://sqs.eu-west-1.amazonaws.com/123456789012/gpu-jobs",
                  "mode": "protect", "min-tasks": 0, "max-tasks": 4, "messages-per-task": 1}}}
                """;
        assertThat(PoolsJson.flatten(json, "test")).isEqualTo(Map.of(
                "coscale.pools.gpu.cluster", "workers",
                "coscale.pools.gpu.service", "gpu-workers",
                "coscale.pools.gpu.queue-url", "https://sqs.eu-west-1.amazonaws.com/123456789012/gpu-jobs",
                "coscale.pools.gpu.mode", "protect",
                "coscale.pools.gpu.min-tasks", "0",
                "coscale.pools.gpu.max-tasks", "4",
                "coscale.pools.gpu.messages-per-task", "1"));
    }

    @Test
    void nestedObjectsAddASegmentArraysAnIndexAndNullsNothing() {
        String json = """
                {"pools": {"a": {"cluster": "c", "tags": {"team": "ml", "cost": {"centre": 42}},
                  "zones": ["a", "b"], "queue-name": null, "paused": false},
                 "b": {}}}
                """;
        assertThat(PoolsJson.flatten(json, "test")).isEqualTo(Map.of(
                "coscale.pools.a.cluster", "c",
                "coscale.pools.a.tags.team", "ml",
                "coscale.pools.a.tags.cost.centre", "42",
                "coscale.pools.a.zones[0]", "a",
                "coscale.pools.a.zones[1]", "b",
                "coscale.pools.a.paused", "false"));
    }

    @Test
    void anEmptyPoolsObjectDefinesNoPool() {
        assertThat(PoolsJson.flatten("{\"pools\": {}}", "test")).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "not JSON              | {\"pools\": {\"a\": {\"cluster\": }}} | malformed JSON",
            "truncated             | {\"pools\": {                     | malformed JSON",
            "empty                 | ''                                  | expected a JSON object",
            "an array              | [1, 2]                              | expected a JSON object",
            "misspelt top level    | {\"pool\": {}}                      | unknown member \"pool\"",
            "pools not an object   | {\"pools\": [\"a\"]}                | \"pools\" must be an object",
            "a pool not an object  | {\"pools\": {\"a\": 3}}             | pool \"a\" must be an object",
    })
    void aBrokenDocumentNamesItsSourceAndTheMistake(String label, String json, String expected) {
        assertThatThrownBy(() -> PoolsJson.flatten(json, "COSCALE_POOLS_JSON"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("COSCALE_POOLS_JSON: ")
                .hasMessageContaining(expected);
    }

    @Test
    void malformedJsonSaysWhere() {
        assertThatThrownBy(() -> PoolsJson.flatten("{\"pools\":\n {\"a\": {\"cluster\" \"c\"}}}", "f"))
                .hasMessageContaining("line 2");
    }
}
