package io.coscale.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.coscale.local.LocalCloudTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The conformance kit on {@code coscale-run -- sh -c 'cat > /dev/null; sleep 2'}, or on your own worker:
 * {@code ./mvnw test -Dtest=WorkerConformanceTest -Dworker.command="…"} (a shell command run as each task).
 */
@QuarkusTest
@QuarkusTestResource(LocalCloudTestResource.class)
@TestProfile(WorkerConformanceTest.Profile.class)
class WorkerConformanceTest extends WorkerConformance {

    public static class Profile implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return settings(command());
        }
    }

    static String command() {
        String command = System.getProperty("worker.command", "");
        return command.isBlank() ? CoscaleRun.workerCommand("-- sh -c 'cat > /dev/null; sleep 2'") : command;
    }

    @Test
    void theWorkerKeepsEveryGuaranteeTheProtocolNeeds() {
        assertThat(gradeAll(command())).filteredOn(r -> r.grade().equals("fail")).isEmpty();
    }
}
