package io.coscale.api.health;

import static org.assertj.core.api.Assertions.assertThat;

import io.coscale.lease.LeadershipChanged;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** What the health checks read from {@link HealthFacts}, on a clock moved by hand. */
class HealthFactsTest {

    final AtomicLong nanos = new AtomicLong(42);
    final HealthFacts facts = new HealthFacts(nanos::get);

    void advance(Duration by) {
        nanos.addAndGet(by.toNanos());
    }

    @Test
    void countsFromStartUntilTheFirstTickThenFromTheLast() {
        advance(Duration.ofSeconds(3));
        assertThat(facts.sinceStart()).isEqualTo(Duration.ofSeconds(3));
        assertThat(facts.sinceSchedulerTick()).isEmpty();
        assertThat(facts.sinceEventLoopTick()).isEmpty();

        facts.schedulerTick();
        advance(Duration.ofSeconds(2));
        assertThat(facts.sinceSchedulerTick()).contains(Duration.ofSeconds(2));
        assertThat(facts.sinceStart()).isEqualTo(Duration.ofSeconds(5));
    }

    @Test
    void leadsFromTheChangeThatSaidSoUntilTheOneThatSaidNot() {
        assertThat(facts.leadingFor()).isEmpty();
        facts.leadershipChanged(new LeadershipChanged(true, 1));
        advance(Duration.ofSeconds(7));
        assertThat(facts.leadingFor()).contains(Duration.ofSeconds(7));

        facts.leadershipChanged(new LeadershipChanged(false, 2));
        assertThat(facts.leadingFor()).isEmpty();
        facts.leadershipChanged(new LeadershipChanged(true, 3));
        advance(Duration.ofSeconds(1));
        assertThat(facts.leadingFor()).as("counted from the latest gain").contains(Duration.ofSeconds(1));
    }
}
