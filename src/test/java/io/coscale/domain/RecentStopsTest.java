package io.coscale.domain;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RecentStopsTest {

    private static final Instant T0 = Instant.parse("2026-12-01T10:00:00Z");

    private static TaskStop stop(String id, String code, Instant at) {
        return new TaskStop("arn:aws:ecs:us-east-1:000000000000:task/c/" + id, code, "why", at);
    }

    @Test
    void countsByStopCodeWithinTheWindowOnly() {
        RecentStops stops = new RecentStops(Duration.ofHours(1), 100);
        stops.add(stop("a", "SpotInterruption", T0));
        stops.add(stop("b", "SpotInterruption", T0.plusSeconds(600)));
        stops.add(stop("c", "EssentialContainerExited", T0.plusSeconds(1200)));

        assertThat(stops.byStopCode(T0.plusSeconds(1800)))
                .isEqualTo(Map.of("SpotInterruption", 2, "EssentialContainerExited", 1));
        // An hour and a minute after the first: it has left the window.
        assertThat(stops.byStopCode(T0.plusSeconds(3660)))
                .isEqualTo(Map.of("SpotInterruption", 1, "EssentialContainerExited", 1));
        assertThat(stops.byStopCode(T0.plusSeconds(3 * 3600))).isEmpty();
    }

    @Test
    void aTaskIsCountedOnceHoweverOftenItIsSeen() {
        RecentStops stops = new RecentStops(Duration.ofHours(1), 100);
        assertThat(stops.add(stop("a", "SpotInterruption", T0))).isTrue();
        assertThat(stops.add(stop("a", "SpotInterruption", T0.plusSeconds(5)))).isFalse();
        assertThat(stops.byStopCode(T0.plusSeconds(10))).isEqualTo(Map.of("SpotInterruption", 1));
    }

    @Test
    void newestFirstAndBoundedByCapacity() {
        RecentStops stops = new RecentStops(Duration.ofHours(1), 2);
        stops.add(stop("a", "SpotInterruption", T0));
        stops.add(stop("b", "TerminationNotice", T0.plusSeconds(1)));
        stops.add(stop("c", "UserInitiated", T0.plusSeconds(2)));

        assertThat(stops.newest(T0.plusSeconds(3), 5)).extracting(TaskStop::stopCode)
                .containsExactly("UserInitiated", "TerminationNotice");
        assertThat(stops.newest(T0.plusSeconds(3), 1)).hasSize(1);
    }

    @Test
    void aStopWithoutCodeOrReasonIsUnknownAndEmpty() {
        TaskStop stop = new TaskStop("arn", null, null, T0);
        assertThat(stop.stopCode()).isEqualTo(TaskStop.UNKNOWN);
        assertThat(stop.reason()).isEmpty();
    }
}
