package io.coscale.local.sqs;

import org.elasticmq.NodeAddress;
import org.elasticmq.rest.sqs.SQSRestServer;
import org.elasticmq.rest.sqs.SQSRestServerBuilder;
import org.elasticmq.rest.sqs.TheSQSRestServerBuilder;

/**
 * The embedded SQS server of local mode: ElasticMQ bound to 127.0.0.1, answering the SQS JSON and query
 * protocols with queue URLs of the form {@code http://127.0.0.1:<advertisedPort>/000000000000/<queue>}.
 *
 * <p>The advertised port may differ from the bound one so that a {@link SqsFaultProxy} in front of ElasticMQ is
 * what every queue URL names: a client that follows a queue URL then goes through the proxy and meets its faults.
 */
public final class EmbeddedSqs implements AutoCloseable {

    public static final String ACCOUNT_ID = "000000000000";

    private final SQSRestServer server;
    private final int port;

    private EmbeddedSqs(SQSRestServer server, int port) {
        this.server = server;
        this.port = port;
    }

    /**
     * Starts the server on {@code 127.0.0.1:port}, its queue URLs naming that same address, and returns once it
     * accepts connections. Port 0 binds a free port, which the queue URLs then name.
     */
    public static EmbeddedSqs start(int port, String region) {
        return start(port, 0, region);
    }

    /**
     * Starts the server on {@code 127.0.0.1:port} and returns once it accepts connections. The queue URLs it hands
     * out (CreateQueue, GetQueueUrl, ListQueues) name {@code 127.0.0.1:advertisedPort} instead, the address of a
     * proxy in front of it. Port 0 binds a free port; advertised port 0 advertises the bound port.
     */
    public static EmbeddedSqs start(int port, int advertisedPort, String region) {
        TheSQSRestServerBuilder builder = SQSRestServerBuilder
                .withInterface("127.0.0.1")
                .withPort(port)
                .withAWSAccountId(ACCOUNT_ID)
                .withAWSRegion(region);
        if (advertisedPort != 0) {
            // A fixed address; without it ElasticMQ advertises 127.0.0.1 and the port it actually bound.
            builder = builder.withServerAddress(new NodeAddress("http", "127.0.0.1", advertisedPort, ""));
        }
        SQSRestServer server = builder.start();
        int bound = server.waitUntilStarted().localAddress().getPort();
        return new EmbeddedSqs(server, bound);
    }

    /** The endpoint of ElasticMQ itself (not of any proxy), to give an SQS client as its endpoint override. */
    public String endpoint() {
        return "http://127.0.0.1:" + port;
    }

    @Override
    public void close() {
        server.stopAndWait();
    }
}
