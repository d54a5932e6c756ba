package io.coscale.local.sqs;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.coscale.concurrent.Futures;
import java.time.Duration;
import java.util.concurrent.TimeoutException;
import org.apache.pekko.actor.ActorSystem;
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

    /**
     * Threads of ElasticMQ's Pekko dispatcher: as many as the machine has cores (at least 2), where Pekko's default
     * is at least 8. Every SQS request wakes dispatcher threads, and with more threads than cores the wake-ups cost
     * more CPU than the work. Its internal dispatcher (Pekko HTTP's connection streams; at least 4 threads by
     * default) gets as many, for the same reason.
     */
    static int dispatcherThreads() {
        return Math.max(2, Runtime.getRuntime().availableProcessors());
    }

    private final SQSRestServer server;
    private final ActorSystem actors;
    private final int port;

    private EmbeddedSqs(SQSRestServer server, ActorSystem actors, int port) {
        this.server = server;
        this.actors = actors;
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
        ClassLoader loader = EmbeddedSqs.class.getClassLoader();
        int threads = dispatcherThreads();
        String pool = " { parallelism-min = " + threads + ", parallelism-max = " + threads + " }";
        Config config = ConfigFactory.parseString("pekko.actor.default-dispatcher.fork-join-executor" + pool
                        + "\npekko.actor.internal-dispatcher.fork-join-executor" + pool)
                .withFallback(ConfigFactory.load(loader));
        ActorSystem actors = ActorSystem.create("elasticmq", config, loader);
        TheSQSRestServerBuilder builder = SQSRestServerBuilder
                .withActorSystem(actors)
                .withInterface("127.0.0.1")
                .withPort(port)
                .withAWSAccountId(ACCOUNT_ID)
                .withAWSRegion(region);
        if (advertisedPort != 0) {
            // A fixed address; without it ElasticMQ advertises 127.0.0.1 and the port it actually bound.
            builder = builder.withServerAddress(new NodeAddress("http", "127.0.0.1", advertisedPort, ""));
        }
        try {
            SQSRestServer server = builder.start();
            int bound = server.waitUntilStarted().localAddress().getPort();
            return new EmbeddedSqs(server, actors, bound);
        } catch (RuntimeException e) {
            terminate(actors);
            throw e;
        }
    }

    /** The endpoint of ElasticMQ itself (not of any proxy), to give an SQS client as its endpoint override. */
    public String endpoint() {
        return "http://127.0.0.1:" + port;
    }

    /** Stops the server, then the actor system it was given (ElasticMQ stops only a system it made itself). */
    @Override
    public void close() {
        server.stopAndWait();
        terminate(actors);
    }

    private static void terminate(ActorSystem actors) {
        actors.terminate();
        try {
            Futures.await(actors.getWhenTerminated().toCompletableFuture(), Duration.ofSeconds(30));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (TimeoutException | RuntimeException e) {
            throw new IllegalStateException("ElasticMQ's actor system did not stop", e);
        }
    }
}
