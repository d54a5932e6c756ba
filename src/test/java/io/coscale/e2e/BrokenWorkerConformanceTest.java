package io.coscale.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.coscale.local.LocalCloudTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The kit fails a broken worker where it breaks: coscale-run behind a shell that ends with {@code exit 3} instead of
 * {@code exec}'ing it. Every worker then exits non-zero after coscale's {@code exit}, and the stop signal ends the
 * shell at once, so that the task stops with its job still in the orphaned coscale-run's hands.
 */
@QuarkusTest
@QuarkusTestResource(LocalCloudTestResource.class)
@TestProfile(BrokenWorkerConformanceTest.Profile.class)
class BrokenWorkerConformanceTest extends WorkerConformance {

    static final String BROKEN = CoscaleRun.workerCommand("-- sh -c 'cat > /dev/null; sleep 2'")
            .replace(" exec ", " ") + "; exit 3";

    public static class Profile implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return settings(BROKEN);
        }
    }

    @Test
    void aWorkerThatExitsNonZeroAndDropsItsJobOnSigtermFailsThoseRows() {
        List<Row> rows = gradeAll(BROKEN);
        assertThat(rows).filteredOn(r -> r.grade().equals("fail")).extracting(Row::guarantee)
                .contains(SCALE_IN, STOP_SIGNAL);
    }
}
