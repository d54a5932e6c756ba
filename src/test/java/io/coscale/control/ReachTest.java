package io.coscale.control;

import static org.assertj.core.api.Assertions.assertThat;

import io.coscale.aws.AwsCallException;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Which failures still heard from ECS or SQS, and when a pass's calls make the service unreachable. */
class ReachTest {

    private static final AwsCallException REFUSED = new AwsCallException("DescribeServices failed: ClusterNotFoundException",
            false, false, "ClusterNotFoundException", null);
    private static final AwsCallException THROTTLED = new AwsCallException("GetQueueAttributes failed: Throttling",
            true, true, "ThrottlingException", null);
    private static final AwsCallException SERVER_ERROR = new AwsCallException("DescribeServices failed: ServerException",
            true, false, "ServerException", null);
    private static final AwsCallException NO_CONNECTION = new AwsCallException("GetQueueAttributes failed: Connection refused",
            true, false, "ClientError", null);

    static Stream<Arguments> passes() {
        return Stream.of(
                Arguments.of("nothing asked (no pools, or every service missing)", List.of(), true),
                Arguments.of("every call succeeded", List.of("ok", "ok"), true),
                Arguments.of("one pool's cluster or queue is gone, another's answered", List.of("ok", "refused"), true),
                Arguments.of("the only pool's cluster or queue is gone: a refusal is an answer", List.of("refused"), true),
                Arguments.of("throttled everywhere: the service is there", List.of("throttled", "throttled"), true),
                Arguments.of("one cluster silent, another answered", List.of("silent", "ok"), true),
                Arguments.of("every call silent", List.of("silent", "silent"), false),
                Arguments.of("every call a 5xx", List.of("5xx"), false),
                Arguments.of("silent and 5xx", List.of("5xx", "silent"), false));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("passes")
    void aServiceIsUnreachableOnlyWhenNoCallOfThePassGotAnAnswer(String label, List<String> calls, boolean reachable) {
        Reach reach = Reach.NOTHING_ASKED;
        for (String call : calls) {
            reach = switch (call) {
                case "ok" -> reach.succeeded();
                case "refused" -> reach.failed(REFUSED);
                case "throttled" -> reach.failed(THROTTLED);
                case "5xx" -> reach.failed(SERVER_ERROR);
                case "silent" -> reach.failed(NO_CONNECTION);
                default -> throw new IllegalArgumentException(call);
            };
        }
        assertThat(reach.reachable()).isEqualTo(reachable);
        assertThat(reach.asked()).isEqualTo(calls.size());
    }
}
