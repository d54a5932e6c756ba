package io.coscale.local.ecs;

import static io.coscale.local.ecs.EcsEmulatorFixture.CLUSTER;
import static org.assertj.core.api.Assertions.assertThat;

import io.coscale.TestClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ecs.model.DescribeServicesResponse;
import software.amazon.awssdk.services.ecs.model.DescribeTasksResponse;

/**
 * With stale reads of up to N, a change shows in DescribeServices/DescribeTasks answers at most N after it
 * happened, old and new answers mixed meanwhile; with N = 0 every answer is fresh. Stale reads tell time by a clock
 * the test moves, so how long after a change each read comes does not depend on how busy the machine is.
 */
class StaleReadsTest {

    private static final String SERVICE = "svc";
    private static final Duration WINDOW = Duration.ofMillis(1500);

    private EcsEmulatorFixture fx;
    private final TestClock clock = TestClock.at("2026-01-01T00:00:00Z");

    /** One answer and when its call was made, in ms after the change it is about. */
    private record Sample<T>(long startedMs, T value) {
    }

    @BeforeEach
    void start() {
        fx = EcsEmulatorFixture.start(2, EcsEmulatorFixture.idleRunner());
        fx.emulator.staleReadsClock(clock);
        fx.setUpCluster(2, Map.of());
        fx.createService(SERVICE, 0);
    }

    @AfterEach
    void stop() {
        fx.close();
    }

    @Test
    void aNewDesiredCountShowsInSomeAnswersAtFirstAndInEveryAnswerAfterTheWindow() throws Exception {
        fx.emulator.faults().staleReads(WINDOW);

        fx.setDesiredCount(SERVICE, 1);
        // The clock stands still until sampling moves it: the change is stamped at the instant sampling counts from.
        List<Sample<DescribeServicesResponse>> samples = sample(
                () -> fx.ecs.describeServices(r -> r.cluster(CLUSTER).services(SERVICE)));

        // The service existed before the window opened: never MISSING.
        assertThat(samples).allSatisfy(s -> assertThat(s.value().failures()).isEmpty());
        assertThat(samples).filteredOn(s -> s.startedMs() < 1000)
                .anySatisfy(s -> assertThat(s.value().services().get(0).desiredCount()).isZero());
        assertThat(samples).filteredOn(s -> s.startedMs() >= WINDOW.toMillis())
                .isNotEmpty()
                .allSatisfy(s -> assertThat(s.value().services().get(0).desiredCount()).isEqualTo(1));
        assertThat(fx.emulator.stats().snapshot().staleReads()).isPositive();
    }

    @Test
    void aNewTaskIsMissingToSomeAnswersAtFirstAndFoundByEveryAnswerAfterTheWindow() throws Exception {
        fx.emulator.faults().staleReads(WINDOW);

        fx.setDesiredCount(SERVICE, 1);
        List<String> arns = new ArrayList<>();
        EcsEmulatorFixture.eventually().until(() -> {
            arns.addAll(fx.ecs.listTasks(r -> r.cluster(CLUSTER).serviceName(SERVICE)).taskArns());
            return !arns.isEmpty();
        });
        // ListTasks is fresh: the task existed by the time it was listed, and the clock has not moved since, so the
        // window counts from here.
        List<Sample<DescribeTasksResponse>> samples = sample(
                () -> fx.ecs.describeTasks(r -> r.cluster(CLUSTER).tasks(arns)));

        assertThat(samples).filteredOn(s -> s.startedMs() < 1000)
                .anySatisfy(s -> assertThat(s.value().failures()).singleElement()
                        .satisfies(f -> assertThat(f.reason()).isEqualTo("MISSING")));
        assertThat(samples).filteredOn(s -> s.startedMs() >= WINDOW.toMillis())
                .isNotEmpty()
                .allSatisfy(s -> assertThat(s.value().tasks()).singleElement()
                        .satisfies(t -> assertThat(t.taskArn()).isEqualTo(arns.get(0))));
    }

    @Test
    void withNoWindowEveryAnswerIsFresh() {
        for (int count = 1; count <= 6; count++) {
            fx.setDesiredCount(SERVICE, count % 2);

            assertThat(fx.service(SERVICE).desiredCount()).isEqualTo(count % 2);
        }
        assertThat(fx.emulator.stats().snapshot().staleReads()).isZero();
    }

    @Test
    void closingTheWindowMakesAnswersFreshAtOnce() {
        fx.emulator.faults().staleReads(Duration.ofSeconds(60));
        fx.setDesiredCount(SERVICE, 1);

        fx.emulator.faults().staleReads(Duration.ZERO);

        for (int i = 0; i < 5; i++) {
            assertThat(fx.service(SERVICE).desiredCount()).isEqualTo(1);
        }
    }

    /**
     * Calls {@code read} at every 40 ms of the clock for the window and a second more, each answer stamped with how
     * far the clock had been moved ahead of now.
     */
    private <T> List<Sample<T>> sample(Callable<T> read) throws Exception {
        List<Sample<T>> samples = new ArrayList<>();
        for (long ms = 0; ms < WINDOW.toMillis() + 1000; ms += 40) {
            samples.add(new Sample<>(ms, read.call()));
            clock.advance(Duration.ofMillis(40));
        }
        return samples;
    }
}
