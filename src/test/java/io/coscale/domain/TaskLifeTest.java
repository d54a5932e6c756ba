package io.coscale.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.coscale.domain.TaskLife.Stage;
import java.time.Duration;
import java.time.Instant;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class TaskLifeTest {

    private static final Instant T0 = Instant.parse("2026-12-06T10:00:00Z");
    private static final Instant T1 = T0.plusSeconds(5);
    private static final Instant UNTIL = T0.plus(Duration.ofMinutes(10));
    private static final Instant LATER = UNTIL.plus(Duration.ofMinutes(5));
    private static final ReleaseDecision EXIT = new ReleaseDecision(ReleaseDecision.Kind.EXIT, 2, "queue empty");

    private static final TaskLife BUSY = new TaskLife(T0, null, Stage.RUNNING, null);
    private static final TaskLife PROTECTED = new TaskLife(null, UNTIL, Stage.RUNNING, null);
    private static final TaskLife BUSY_PROTECTED = new TaskLife(T0, UNTIL, Stage.RUNNING, null);
    private static final TaskLife EXITING = new TaskLife(T0, UNTIL, Stage.EXITING, null);
    private static final TaskLife EXITED = new TaskLife(null, null, Stage.EXITED, EXIT);
    private static final TaskLife RECORDED = new TaskLife(T0, null, Stage.RECORDED, EXIT);
    private static final TaskLife RECORD_UNKNOWN = new TaskLife(T0, null, Stage.RECORD_UNKNOWN, EXIT);
    private static final TaskLife UNSURE = new TaskLife(T0, null, Stage.RUNNING, null, true);

    static Stream<Arguments> transitions() {
        return Stream.of(
                Arguments.of("a first claim makes a task busy", TaskLife.UNKNOWN, new TaskLife.Claimed(T0), BUSY),
                Arguments.of("a heartbeat keeps the first claim's time", BUSY, new TaskLife.Claimed(T1), BUSY),
                Arguments.of("a claim of a protected warm task makes it busy, protection kept",
                        PROTECTED, new TaskLife.Claimed(T0), BUSY_PROTECTED),
                Arguments.of("a claim of a task being let exit changes nothing", EXITING, new TaskLife.Claimed(T1), EXITING),
                Arguments.of("a claim of an exited task changes nothing", EXITED, new TaskLife.Claimed(T1), EXITED),
                Arguments.of("a refused claim is not busy", BUSY, new TaskLife.ClaimRefused(), TaskLife.UNKNOWN),
                Arguments.of("idle: not busy, protection kept", BUSY_PROTECTED, new TaskLife.Idle(), PROTECTED),
                Arguments.of("protection confirmed", BUSY, new TaskLife.Protected(UNTIL), BUSY_PROTECTED),
                Arguments.of("a renewal moves the expiry", PROTECTED, new TaskLife.Protected(LATER),
                        new TaskLife(null, LATER, Stage.RUNNING, null)),
                Arguments.of("a task nobody here protected is adopted", TaskLife.UNKNOWN, new TaskLife.Adopted(UNTIL), PROTECTED),
                Arguments.of("a task claimed meanwhile keeps its claim's expiry",
                        BUSY_PROTECTED, new TaskLife.Adopted(LATER), BUSY_PROTECTED),
                Arguments.of("a task being let exit is not adopted", new TaskLife(T0, null, Stage.EXITING, null),
                        new TaskLife.Adopted(UNTIL), new TaskLife(T0, null, Stage.EXITING, null)),
                Arguments.of("an exited task is not adopted", EXITED, new TaskLife.Adopted(UNTIL), EXITED),
                Arguments.of("unprotect confirmed: busy kept", BUSY_PROTECTED, new TaskLife.Unprotected(), BUSY),
                Arguments.of("an exit starts: busy and protection kept until it is done",
                        BUSY_PROTECTED, new TaskLife.ExitStarted(), EXITING),
                Arguments.of("an exit does not start again for an exited task", EXITED, new TaskLife.ExitStarted(), EXITED),
                Arguments.of("an abandoned exit: an ordinary task again, its protection unknown (the next claim asks ECS)",
                        EXITING, new TaskLife.ExitAbandoned(), UNSURE),
                Arguments.of("a claim of a task whose protection is unknown keeps it unknown", UNSURE,
                        new TaskLife.Claimed(T1), UNSURE),
                Arguments.of("idle keeps the protection unknown", UNSURE, new TaskLife.Idle(),
                        new TaskLife(null, null, Stage.RUNNING, null, true)),
                Arguments.of("protection confirmed again: known", UNSURE, new TaskLife.Protected(UNTIL), BUSY_PROTECTED),
                Arguments.of("an unknown protection is not settled by an adoption", UNSURE, new TaskLife.Adopted(UNTIL), UNSURE),
                Arguments.of("a lease taken over keeps the protection unknown", UNSURE, new TaskLife.LeaseTaken(),
                        new TaskLife(null, null, Stage.RUNNING, null, true)),
                Arguments.of("an exit recorded on the task carries its decision",
                        new TaskLife(T0, null, Stage.EXITING, null), new TaskLife.Recorded(EXIT), RECORDED),
                Arguments.of("a record without an exit in progress changes nothing", BUSY, new TaskLife.Recorded(EXIT), BUSY),
                Arguments.of("an abandoned exit after its record stays recorded", RECORDED, new TaskLife.ExitAbandoned(),
                        RECORDED),
                Arguments.of("a recorded exit does not start again", RECORDED, new TaskLife.ExitStarted(), RECORDED),
                Arguments.of("an exit record whose answer was lost keeps the exit and its decision",
                        new TaskLife(T0, null, Stage.EXITING, null), new TaskLife.RecordUnknown(EXIT), RECORD_UNKNOWN),
                Arguments.of("a record of unknown outcome is not abandoned: the record may be on the task",
                        RECORD_UNKNOWN, new TaskLife.ExitAbandoned(), RECORD_UNKNOWN),
                Arguments.of("an exit whose record is unknown does not start again", RECORD_UNKNOWN,
                        new TaskLife.ExitStarted(), RECORD_UNKNOWN),
                Arguments.of("a claim of a task whose record is unknown protects nothing", RECORD_UNKNOWN,
                        new TaskLife.Claimed(T1), RECORD_UNKNOWN),
                Arguments.of("an exit whose record is unknown is not adopted", RECORD_UNKNOWN,
                        new TaskLife.Adopted(UNTIL), RECORD_UNKNOWN),
                Arguments.of("the record written again and confirmed: recorded", RECORD_UNKNOWN,
                        new TaskLife.Recorded(EXIT), RECORDED),
                Arguments.of("a lost record answer without an exit in progress changes nothing", BUSY,
                        new TaskLife.RecordUnknown(EXIT), BUSY),
                Arguments.of("a stopped task whose record is unknown keeps it, for its release to finish", RECORD_UNKNOWN,
                        new TaskLife.Stopped(), new TaskLife(null, null, Stage.RECORD_UNKNOWN, EXIT)),
                Arguments.of("a lease taken over keeps a record of unknown outcome", RECORD_UNKNOWN,
                        new TaskLife.LeaseTaken(), new TaskLife(null, null, Stage.RECORD_UNKNOWN, EXIT)),
                Arguments.of("a claim of a recorded task changes nothing", RECORDED, new TaskLife.Claimed(T1), RECORDED),
                Arguments.of("a recorded exit is not adopted", RECORDED, new TaskLife.Adopted(UNTIL), RECORDED),
                Arguments.of("a recorded exit is finished", RECORDED, new TaskLife.Exited(EXIT), EXITED),
                Arguments.of("a stopped recorded task stays recorded, for its release to finish", RECORDED,
                        new TaskLife.Stopped(), new TaskLife(null, null, Stage.RECORDED, EXIT)),
                Arguments.of("a late protection answer does not protect an exited task", EXITED,
                        new TaskLife.Protected(UNTIL), EXITED),
                Arguments.of("a late protection answer does not protect a task being let exit",
                        new TaskLife(T0, null, Stage.EXITING, null), new TaskLife.Protected(UNTIL),
                        new TaskLife(T0, null, Stage.EXITING, null)),
                Arguments.of("an abandoned exit leaves an exited task exited", EXITED, new TaskLife.ExitAbandoned(), EXITED),
                Arguments.of("exited: the decision remembered, nothing else", EXITING, new TaskLife.Exited(EXIT), EXITED),
                Arguments.of("a replayed exit of a task never seen", TaskLife.UNKNOWN, new TaskLife.Exited(EXIT), EXITED),
                Arguments.of("a stopped task is forgotten", BUSY_PROTECTED, new TaskLife.Stopped(), TaskLife.UNKNOWN),
                Arguments.of("a stopped exited task is forgotten", EXITED, new TaskLife.Stopped(), TaskLife.UNKNOWN),
                Arguments.of("a stopped task being let exit stays exiting, for its release to finish",
                        EXITING, new TaskLife.Stopped(), new TaskLife(null, null, Stage.EXITING, null)),
                Arguments.of("a lease taken over forgets busy and protected", BUSY_PROTECTED, new TaskLife.LeaseTaken(),
                        TaskLife.UNKNOWN),
                Arguments.of("a lease taken over keeps exits", EXITED, new TaskLife.LeaseTaken(), EXITED));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("transitions")
    void eachChangeLeadsToOneLife(String label, TaskLife before, TaskLife.Change change, TaskLife after) {
        assertThat(before.on(change)).as(label).isEqualTo(after);
    }

    static Stream<Arguments> renewals() {
        Duration length = Duration.ofMinutes(8);
        TaskLife protectedUntil = new TaskLife(null, T0.plus(length), Stage.RUNNING, null);
        return Stream.of(
                Arguments.of("a claim of an unprotected task protects", TaskLife.UNKNOWN, T0, length, true, false),
                Arguments.of("an unknown protection: a claim and the schedule both protect again",
                        new TaskLife(null, null, Stage.RUNNING, null, true), T0, length, true, true),
                Arguments.of("a fresh protection: neither renews", protectedUntil, T0, length, false, false),
                Arguments.of("a quarter passed: a heartbeat renews, the schedule not yet",
                        protectedUntil, T0.plus(Duration.ofMinutes(2)), length, true, false),
                Arguments.of("just short of a quarter passed: no heartbeat renewal",
                        protectedUntil, T0.plus(Duration.ofMinutes(2)).minusMillis(1), length, false, false),
                Arguments.of("a quarter left: both renew", protectedUntil, T0.plus(Duration.ofMinutes(6)), length, true, true),
                Arguments.of("just over a quarter left: the schedule waits",
                        protectedUntil, T0.plus(Duration.ofMinutes(6)).minusMillis(1), length, true, false),
                Arguments.of("lapsed: both renew", protectedUntil, T0.plus(Duration.ofMinutes(9)), length, true, true));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("renewals")
    void protectionIsRenewedWhenLittleOfItIsLeft(String label, TaskLife life, Instant now, Duration length,
            boolean heartbeat, boolean schedule) {
        assertThat(life.claimRenews(now, length)).as(label + " (heartbeat)").isEqualTo(heartbeat);
        assertThat(life.scheduleRenews(now, length)).as(label + " (schedule)").isEqualTo(schedule);
    }

    @Test
    void onlyAnExitedTaskCarriesItsDecision() {
        assertThatThrownBy(() -> new TaskLife(null, null, Stage.EXITED, null)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new TaskLife(null, null, Stage.RUNNING, EXIT)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new TaskLife(null, null, Stage.RECORDED, null)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new TaskLife(null, UNTIL, Stage.RUNNING, null, true)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aLifeWithNothingToRememberIsBlank() {
        assertThat(TaskLife.UNKNOWN.isBlank()).isTrue();
        assertThat(BUSY.on(new TaskLife.Idle()).isBlank()).isTrue();
        assertThat(EXITED.isBlank()).isFalse();
        assertThat(new TaskLife(null, null, Stage.EXITING, null).isBlank()).isFalse();
    }
}
