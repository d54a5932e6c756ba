package io.coscale.control.status;

import static org.assertj.core.api.Assertions.assertThat;

import io.coscale.aws.AwsCallException;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class DeadLetterWatchTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', nullValues = "NONE", textBlock = """
            first reading, empty             | NONE | 0 | NONE
            first reading, jobs already wait | NONE | 4 | 4 failed jobs waiting in dead-letter queue demo-dlq at start-up
            one more                         | 0    | 1 | 1 more failed job in dead-letter queue demo-dlq (1 now)
            several more                     | 2    | 5 | 3 more failed jobs in dead-letter queue demo-dlq (5 now)
            unchanged                        | 3    | 3 | NONE
            redriven or purged               | 3    | 0 | NONE
            """)
    void anEventOnlyWhenTheDeadLetterQueueGrew(String row, Long before, long now, String reason) {
        assertThat(DeadLetterWatch.growth(before, now, "demo-dlq")).isEqualTo(Optional.ofNullable(reason));
    }

    @Test
    void aRefusedDeadLetterQueueIsWarnedOfOncePerPoolAndOtherFailuresNot() {
        DeadLetterWatch watch = new DeadLetterWatch(new SimpleMeterRegistry());
        AwsCallException denied = new AwsCallException("GetQueueAttributes failed: AccessDenied: not authorized", false,
                false, "AccessDenied", null);
        AwsCallException timeout = new AwsCallException("GetQueueAttributes failed: timeout", true, false, "ClientError",
                null);

        assertThat(watch.unreadable("demo", "https://sqs/1/demo-dlq", timeout)).isFalse();
        assertThat(watch.unreadable("demo", "https://sqs/1/demo-dlq", denied)).isTrue();
        assertThat(watch.unreadable("demo", "https://sqs/1/demo-dlq", denied)).isFalse();
        assertThat(watch.unreadable("other", "https://sqs/1/other-dlq", denied)).isTrue();
    }
}
