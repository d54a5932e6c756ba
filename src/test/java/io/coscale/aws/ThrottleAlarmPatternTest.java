package io.coscale.aws;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.services.ecs.model.EcsException;

/**
 * coscale.yaml alarms on throttled UpdateService calls through a CloudWatch Logs metric filter, since CloudWatch
 * cannot read the Prometheus counter. The filter's phrase must be what coscale writes when ECS throttles it: the
 * message of the failure that the pool's error log line carries. This test ties the two together.
 */
class ThrottleAlarmPatternTest {

    @Test
    void theMetricFilterMatchesTheMessageOfAThrottledUpdateService() throws IOException {
        String template = Files.readString(Path.of("deploy", "cloudformation", "coscale.yaml"));
        Matcher filter = Pattern.compile("FilterPattern: '\"([^\"]+)\"'").matcher(template);
        assertThat(filter.find()).as("a quoted-phrase FilterPattern in coscale.yaml").isTrue();

        EcsException throttled = (EcsException) EcsException.builder().statusCode(400)
                .awsErrorDetails(AwsErrorDetails.builder().errorCode("ThrottlingException").errorMessage("Rate exceeded").build())
                .build();
        AwsCallException failure = AwsCallException.from("UpdateService", throttled);

        assertThat(failure.isThrottled()).isTrue();
        assertThat(failure.getMessage()).contains(filter.group(1));
    }
}
