package io.coscale.aws;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.coscale.config.EcsConfig;
import io.quarkus.runtime.configuration.DurationConverter;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Defect 4 of issue 21: an ECS call must end, answered or abandoned, before another replica can take the lease over
 * (two margins after the last write the lease allowed); a configuration where it may not is refused at start-up.
 */
class EcsCallTimeoutTest {

    private static final Duration MARGIN = Duration.ofSeconds(1);

    @Test
    void theDefaultFitsTheDefaultLease() {
        assertThatCode(() -> AwsClientProducer.checkCallTimeout(
                DurationConverter.parseDuration(EcsConfig.DEFAULT_CALL_TIMEOUT), MARGIN)).doesNotThrowAnyException();
        assertThatCode(() -> AwsClientProducer.checkCallTimeout(Duration.ofSeconds(2), MARGIN)).doesNotThrowAnyException();
    }

    @Test
    void aCallTimeoutLongerThanTwoMarginsIsRefused() {
        assertThatThrownBy(() -> AwsClientProducer.checkCallTimeout(Duration.ofSeconds(5), MARGIN))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("coscale.ecs.call-timeout").hasMessageContaining("coscale.lease.margin");
        assertThatThrownBy(() -> AwsClientProducer.checkCallTimeout(Duration.ofMillis(2001), MARGIN))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> AwsClientProducer.checkCallTimeout(Duration.ZERO, MARGIN))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
