package io.coscale.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class SecretsManagerTokenSecretTest {

    @Test
    void aSecretIsAJsonObjectOfStrings() {
        assertThat(SecretsManagerTokenSecret.keys("{\"worker\": \"w2\", \"worker_old\": \"w1\"}"))
                .isEqualTo(Map.of("worker", "w2", "worker_old", "w1"));
        assertThat(SecretsManagerTokenSecret.keys("{}")).isEmpty();
    }

    @Test
    void anythingElseIsRefusedNamingWhatIsWrongButNoValue() {
        assertThatThrownBy(() -> SecretsManagerTokenSecret.keys("not json")).hasMessage("its value is not JSON");
        assertThatThrownBy(() -> SecretsManagerTokenSecret.keys("[\"w\"]"))
                .hasMessage("its value is not a JSON object of token secrets");
        assertThatThrownBy(() -> SecretsManagerTokenSecret.keys(null))
                .hasMessage("its value is not a JSON object of token secrets");
        assertThatThrownBy(() -> SecretsManagerTokenSecret.keys("{\"worker\": {\"secret\": \"s3cr3t\"}}"))
                .hasMessage("its key 'worker' is not a string");
    }
}
