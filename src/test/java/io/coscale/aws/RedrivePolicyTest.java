package io.coscale.aws;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RedrivePolicyTest {

    private static final String AWS = "https://sqs.eu-west-1.amazonaws.com/123456789012/jobs";
    private static final String LOCAL = "http://127.0.0.1:9324/000000000000/demo";

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', nullValues = "NONE", textBlock = """
            SQS, number maxReceiveCount | https://sqs.eu-west-1.amazonaws.com/123456789012/jobs | {"deadLetterTargetArn":"arn:aws:sqs:eu-west-1:123456789012:jobs-dlq","maxReceiveCount":3} | https://sqs.eu-west-1.amazonaws.com/123456789012/jobs-dlq
            ElasticMQ, string maxReceiveCount | http://127.0.0.1:9324/000000000000/demo | {"deadLetterTargetArn":"arn:aws:sqs:elasticmq:000000000000:demo-dlq","maxReceiveCount":"3"} | http://127.0.0.1:9324/000000000000/demo-dlq
            FIFO                             | https://sqs.eu-west-1.amazonaws.com/123456789012/jobs.fifo | {"deadLetterTargetArn":"arn:aws:sqs:eu-west-1:123456789012:jobs-dlq.fifo","maxReceiveCount":5} | https://sqs.eu-west-1.amazonaws.com/123456789012/jobs-dlq.fifo
            China partition                  | https://sqs.cn-north-1.amazonaws.com.cn/123456789012/jobs | {"deadLetterTargetArn":"arn:aws-cn:sqs:cn-north-1:123456789012:dlq"} | https://sqs.cn-north-1.amazonaws.com.cn/123456789012/dlq
            no redrive policy                | https://sqs.eu-west-1.amazonaws.com/123456789012/jobs | NONE | NONE
            blank policy                     | https://sqs.eu-west-1.amazonaws.com/123456789012/jobs | '' | NONE
            not JSON                         | https://sqs.eu-west-1.amazonaws.com/123456789012/jobs | deadLetterTargetArn | NONE
            no target                        | https://sqs.eu-west-1.amazonaws.com/123456789012/jobs | {"maxReceiveCount":3} | NONE
            target not a string              | https://sqs.eu-west-1.amazonaws.com/123456789012/jobs | {"deadLetterTargetArn":7} | NONE
            target not an SQS ARN            | https://sqs.eu-west-1.amazonaws.com/123456789012/jobs | {"deadLetterTargetArn":"arn:aws:sns:eu-west-1:123456789012:topic"} | NONE
            target ARN cut short             | https://sqs.eu-west-1.amazonaws.com/123456789012/jobs | {"deadLetterTargetArn":"arn:aws:sqs:eu-west-1:123456789012"} | NONE
            """)
    void theDeadLetterQueueUrlComesFromTheTargetArnOnTheSourceQueuesEndpoint(String row, String queueUrl, String policy,
            String expected) {
        assertThat(RedrivePolicy.deadLetterQueueUrl(queueUrl, policy)).isEqualTo(Optional.ofNullable(expected));
    }

    @ParameterizedTest
    @CsvSource({AWS + ", https://sqs.eu-west-1.amazonaws.com/210987654321/other",
        LOCAL + ", http://127.0.0.1:9324/210987654321/other"})
    void theAccountAndNameAreTheArnsTheEndpointTheSourceQueues(String queueUrl, String expected) {
        assertThat(RedrivePolicy.queueUrlOf(queueUrl, "arn:aws:sqs:eu-west-1:210987654321:other")).contains(expected);
    }
}
