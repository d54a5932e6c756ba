package io.coscale.local.sqs;

import org.elasticmq.NodeAddress;
import org.elasticmq.rest.sqs.SQSRestServer;
import org.elasticmq.rest.sqs.SQSRestServerBuilder;

/**
 * The embedded SQS server of local mode: ElasticMQ bound to 127.0.0.1, answering the SQS JSON and query
 * protocols with queue URLs of the form {@code http://127.0.0.1:<port>/000000000000/<queue>}.
 */
public final class EmbeddedSqs implements AutoCloseable {

    public static final String ACCOUNT_ID = "000000000000";

    private final SQSRestServer server;
    private final int port;

    private EmbeddedSqs(SQSRestServer server, int port) {
        this.server = server;
        this.port = port;
    }

    /** Starts the server on {@code 127.0.0.1:port} and returns once it accepts connections. */
    public static EmbeddedSqs start(int port, String region) {
        SQSRestServer server = SQSRestServerBuilder
                .withInterface("127.0.0.1")
                .withPort(port)
                .withServerAddress(new NodeAddress("http", "127.0.0.1", port, ""))
                .withAWSAccountId(ACCOUNT_ID)
                .withAWSRegion(region)
                .start();
        server.waitUntilStarted();
        return new EmbeddedSqs(server, port);
    }

    /** The endpoint to give an SQS client as its endpoint override. */
    public String endpoint() {
        return "http://127.0.0.1:" + port;
    }

    @Override
    public void close() {
        server.stopAndWait();
    }
}
