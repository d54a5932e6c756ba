package io.coscale.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.coscale.aws.DynamoDbTable;
import io.coscale.lease.Dynalite;
import io.coscale.local.AwsCallLog;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/** What the DynamoDB recorder makes of a request, and that a real client's calls pass through it unchanged. */
class DynamoDbCallRecorderTest {

    @RegisterExtension
    static final Dynalite DYNALITE = new Dynalite();

    private static final String SIGNED = "AWS4-HMAC-SHA256 Credential=local/20261206/us-east-1/dynamodb/aws4_request, "
            + "SignedHeaders=host;x-amz-date, Signature=0";

    @Test
    void anItemActionCarriesItsPartitionKeyAsLeadingKeys() throws IOException {
        assertThat(call("GetItem", "{\"TableName\": \"coscale-lease\", \"Key\": {\"name\": {\"S\": \"coscale-leader\"}}}"))
                .isEqualTo(new AwsCallLog.Call("local", "dynamodb:GetItem", "arn:aws:dynamodb:us-east-1:000000000000:table/coscale-lease",
                        Map.of("dynamodb:LeadingKeys", List.of("coscale-leader"))));
        assertThat(call("PutItem", "{\"TableName\": \"t\", \"Item\": {\"name\": {\"S\": \"idem#demo#k\"}, \"epoch\": {\"N\": \"1\"}}}")
                .context()).isEqualTo(Map.of("dynamodb:LeadingKeys", List.of("idem#demo#k")));
    }

    @Test
    void aTableActionCarriesNoKey() throws IOException {
        AwsCallLog.Call describe = call("DescribeTable", "{\"TableName\": \"coscale-lease\"}");
        assertThat(describe.action()).isEqualTo("dynamodb:DescribeTable");
        assertThat(describe.context()).isEmpty();
        assertThat(call("ListTables", "{}").resource()).isEqualTo("*");
    }

    @Test
    void aClientsCallsAreForwardedAndEachDistinctOneRecordedOnce(@TempDir Path dir) throws IOException {
        DYNALITE.createTable("recorded");
        Path log = dir.resolve("calls.jsonl");
        try (DynamoDbCallRecorder recorder = DynamoDbCallRecorder.start(DYNALITE.endpoint(), log);
             DynamoDbClient client = new DynamoDbTable("recorded", Optional.of(recorder.endpoint()), Optional.of("us-east-1"),
                     true, Duration.ofSeconds(10)).client()) {
            client.putItem(b -> b.tableName("recorded").item(Map.of("name", AttributeValue.fromS("a"))));
            client.putItem(b -> b.tableName("recorded").item(Map.of("name", AttributeValue.fromS("a"))));
            assertThat(client.getItem(b -> b.tableName("recorded").key(Map.of("name", AttributeValue.fromS("a")))).item())
                    .containsEntry("name", AttributeValue.fromS("a"));
        }
        assertThat(IamOracle.read(java.util.stream.Stream.of(log))).extracting(AwsCallLog.Call::action)
                .containsExactly("dynamodb:PutItem", "dynamodb:GetItem");
    }

    private static AwsCallLog.Call call(String operation, String body) throws IOException {
        return DynamoDbCallRecorder.call(SIGNED, "DynamoDB_20120810." + operation, body.getBytes(StandardCharsets.UTF_8));
    }
}
