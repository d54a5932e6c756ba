package io.coscale.aws;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkClientException;

/** Which failures may have been applied by the service: the line between a 503 and a 502 for a submission. */
class AwsCallExceptionTest {

    @Test
    void aRefusedConnectionNeverReachedTheService() {
        AwsCallException e = AwsCallException.from("SendMessageBatch",
                SdkClientException.builder().message("refused").cause(new ConnectException("Connection refused")).build());
        assertThat(e.isTransient()).isTrue();
        assertThat(e.maybeApplied()).isFalse();
    }

    @Test
    void aTimeoutOrACutConnectionMayHaveBeenApplied() {
        assertThat(AwsCallException.from("SendMessageBatch", SdkClientException.builder().message("timeout")
                .cause(new SocketTimeoutException("Read timed out")).build()).maybeApplied()).isTrue();
        assertThat(AwsCallException.from("SendMessageBatch", SdkClientException.builder().message("eof")
                .cause(new IOException("Unexpected end of file from server")).build()).maybeApplied()).isTrue();
    }

    @Test
    void aServerErrorMayHaveBeenAppliedARefusalOrThrottleNot() {
        assertThat(service(500, "InternalError").maybeApplied()).isTrue();
        assertThat(service(400, "InvalidParameterValue").maybeApplied()).isFalse();
        AwsCallException throttled = service(400, "ThrottlingException");
        assertThat(throttled.isThrottled()).isTrue();
        assertThat(throttled.maybeApplied()).isFalse();
    }

    private static AwsCallException service(int status, String code) {
        return AwsCallException.from("SendMessageBatch", AwsServiceException.builder().statusCode(status)
                .awsErrorDetails(AwsErrorDetails.builder().errorCode(code).errorMessage("x").build()).build());
    }
}
