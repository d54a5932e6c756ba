package io.coscale.api.health;

import static org.assertj.core.api.Assertions.assertThat;

import io.coscale.api.health.HealthRules.Loop;
import io.coscale.api.health.HealthRules.Readiness;
import io.coscale.api.health.HealthRules.Verdict;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every readiness and liveness rule as a table: inputs, then up or down and the reason's gist. The replica is "me";
 * the lease lasts 5 s and the reconcile interval is 10 s (a pass counts for 30 s), as by default.
 */
class HealthRulesTest {

    static final Optional<Duration> NONE = Optional.empty();

    static Optional<Duration> s(double seconds) {
        return Optional.of(Duration.ofMillis((long) (seconds * 1000)));
    }

    /** A follower of "other" that heard from the store 1 s ago and has no unanswered call. */
    static Readiness follower(Optional<Duration> storeAnswered, Optional<String> leader, Optional<Duration> unanswered) {
        return new Readiness(true, storeAnswered, Duration.ofSeconds(5), leader, "me", NONE, NONE,
                Duration.ofSeconds(30), true, true, unanswered, false);
    }

    /** The leader, leading for {@code leadingFor}, with its last pass {@code sincePass} ago. */
    static Readiness leader(Optional<Duration> leadingFor, Optional<Duration> sincePass, boolean ecs, boolean sqs) {
        return new Readiness(true, s(1), Duration.ofSeconds(5), Optional.of("me"), "me", leadingFor, sincePass,
                Duration.ofSeconds(30), ecs, sqs, NONE, false);
    }

    static Stream<Arguments> readiness() {
        Optional<String> other = Optional.of("other");
        return Stream.of(
                Arguments.of("a follower that knows the leader", follower(s(1), other, NONE), true, "follower of other"),
                Arguments.of("pools not loaded", new Readiness(false, s(1), Duration.ofSeconds(5), other, "me", NONE,
                        NONE, Duration.ofSeconds(30), true, true, NONE, false), false, "pools are not loaded"),
                Arguments.of("warming up, and otherwise ready", new Readiness(true, s(1), Duration.ofSeconds(5), other,
                        "me", NONE, NONE, Duration.ofSeconds(30), true, true, NONE, true), false, "warming up"),
                Arguments.of("the store never answered", follower(NONE, other, NONE), false, "has not answered yet"),
                Arguments.of("the store silent past the lease", follower(s(5.5), other, NONE), false,
                        "has not answered for 5.5 s"),
                Arguments.of("the store silent just within the lease", follower(s(5), other, NONE), true, "follower"),
                Arguments.of("no leader known", follower(s(1), Optional.empty(), NONE), false, "no leader is known"),
                Arguments.of("the leader did not answer the last call", follower(s(1), other, s(2)), false,
                        "did not answer"),
                Arguments.of("an unanswered call is old news", follower(s(1), other, s(31)), true, "follower"),
                Arguments.of("a new leader before its first pass", leader(s(3), NONE, true, true), true, "leader"),
                Arguments.of("a leader with a recent pass", leader(s(300), s(12), true, true), true, "leader"),
                Arguments.of("a leader whose passes stopped", leader(s(300), s(31), true, true), false,
                        "no reconcile pass"),
                Arguments.of("a leader that never passed", leader(s(31), NONE, true, true), false, "no reconcile pass"),
                Arguments.of("a leader that reaches no ECS", leader(s(300), s(5), false, true), false, "ECS"),
                Arguments.of("a leader that reaches no SQS", leader(s(300), s(5), true, false), false, "SQS"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource
    void readiness(String row, Readiness in, boolean up, String reason) {
        Verdict verdict = HealthRules.ready(in);
        assertThat(verdict.up()).as(row).isEqualTo(up);
        assertThat(verdict.reason()).as(row).contains(reason);
    }

    static List<Loop> loops(Optional<Duration> lease, Optional<Duration> scheduler, Optional<Duration> eventLoop) {
        return List.of(new Loop("lease loop", lease, Duration.ofSeconds(35)),
                new Loop("scheduler", scheduler, Duration.ofSeconds(35)),
                new Loop("event loop", eventLoop, Duration.ofSeconds(31)));
    }

    static Stream<Arguments> liveness() {
        return Stream.of(
                Arguments.of("every loop ticks, long after start", s(3600), loops(s(1), s(4), s(0.5)), true, "every loop"),
                Arguments.of("just started, nothing ticked yet", s(2), loops(NONE, NONE, NONE), true, "every loop"),
                Arguments.of("the scheduler never ticked since start", s(40), loops(s(1), NONE, s(1)), false,
                        "scheduler has not ticked for 40.0 s"),
                Arguments.of("the lease loop stuck", s(3600), loops(s(36), s(1), s(1)), false, "lease loop"),
                Arguments.of("the scheduler stuck", s(3600), loops(s(1), s(36), s(1)), false, "scheduler"),
                Arguments.of("the event loop blocked", s(3600), loops(s(1), s(1), s(32)), false, "event loop"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource
    void liveness(String row, Optional<Duration> sinceStart, List<Loop> loops, boolean up, String reason) {
        Verdict verdict = HealthRules.live(sinceStart.orElseThrow(), loops);
        assertThat(verdict.up()).as(row).isEqualTo(up);
        assertThat(verdict.reason()).as(row).contains(reason);
    }
}
