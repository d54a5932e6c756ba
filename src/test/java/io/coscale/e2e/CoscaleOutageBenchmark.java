package io.coscale.e2e;

import java.time.Duration;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * {@link CoscaleOutageIT} with coscale down for a minute, as the runbook's claim is stated: {@code ./mvnw -B -Pchaos
 * verify} (it packages first and runs against the jar). Prints the same figures.
 */
@Tag("benchmark")
class CoscaleOutageBenchmark {

    @Test
    void aMinuteWithoutCoscaleLosesNoJobAndRunsNoneTwice() throws Exception {
        CoscaleOutageIT.run(Duration.ofMinutes(1));
    }
}
