package io.coscale.control;

import static org.assertj.core.api.Assertions.assertThat;

import io.coscale.aws.TaskState;
import io.coscale.domain.TaskStop;
import java.time.Instant;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class OtherStopsTest {

    private static final String ARN = "arn:aws:ecs:us-east-1:000000000000:task/c/0123abcd";
    private static final Instant STOPPING = Instant.parse("2026-12-01T10:00:00Z");
    private static final Instant STOPPED = STOPPING.plusSeconds(30);
    private static final Instant NOW = STOPPING.plusSeconds(45);

    private static TaskState task(String lastStatus, String desiredStatus, String exitRecord, String stopCode,
            String reason, Instant stoppedAt) {
        return new TaskState(ARN, null, "service:workers", lastStatus, desiredStatus, "td:1", exitRecord, stopCode,
                reason, stoppedAt, desiredStatus.equals("STOPPED") ? STOPPING : null, false);
    }

    static Stream<Arguments> rows() {
        TaskStop spot = new TaskStop(ARN, "SpotInterruption", "Your Spot Task was interrupted.", STOPPED);
        return Stream.of(
                Arguments.of("running: no stop", task("RUNNING", "RUNNING", null, null, null, null), false,
                        Optional.empty()),
                Arguments.of("Spot interruption, stopped", task("STOPPED", "STOPPED", null, "SpotInterruption",
                        "Your Spot Task was interrupted.", STOPPED), false, Optional.of(spot)),
                Arguments.of("Spot interruption, still stopping: reported at once, at its stop signal",
                        task("RUNNING", "STOPPED", null, "SpotInterruption", "Your Spot Task was interrupted.", null),
                        false, Optional.of(new TaskStop(ARN, "SpotInterruption", "Your Spot Task was interrupted.", STOPPING))),
                Arguments.of("out-of-memory kill", task("STOPPED", "STOPPED", null, "EssentialContainerExited",
                        "Essential container in task exited (OutOfMemoryError: Container killed due to memory usage)",
                        STOPPED), false, Optional.of(new TaskStop(ARN, "EssentialContainerExited",
                        "Essential container in task exited (OutOfMemoryError: Container killed due to memory usage)",
                        STOPPED))),
                Arguments.of("coscale let it exit (remembered): not another stop", task("STOPPED", "STOPPED", null,
                        "ServiceSchedulerInitiated", "Scaling activity", STOPPED), true, Optional.empty()),
                Arguments.of("coscale let it exit (its exit record, after a restart): not another stop",
                        task("STOPPED", "STOPPED", "3", "EssentialContainerExited", "Essential container in task exited",
                                STOPPED), false, Optional.empty()),
                Arguments.of("ECS does not know it: nothing says why", new TaskState(ARN, null, null, "MISSING", "STOPPED", null, null, null, null,
                        null, null, true), false,
                        Optional.empty()),
                Arguments.of("no stopCode: Unknown", task("STOPPED", "STOPPED", null, null, null, STOPPED), false,
                        Optional.of(new TaskStop(ARN, TaskStop.UNKNOWN, "", STOPPED))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rows")
    void tellsAnotherStopFromAnExitCoscaleLetHappen(String label, TaskState task, boolean letExit,
            Optional<TaskStop> expected) {
        assertThat(OtherStops.of(task, letExit, NOW)).as(label).isEqualTo(expected);
    }
}
