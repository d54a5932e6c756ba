package io.coscale.api;

import static io.coscale.api.Api.json;
import static io.coscale.api.Api.problem;
import static org.hamcrest.Matchers.containsString;

import io.coscale.local.LocalCloudTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Submissions when SQS takes the request and then cuts the connection without an answer (as a load balancer or a
 * crashed node does): the job may be in the queue, so the answer is not the 503 that promises nothing was enqueued
 * but a 502 that says a retry may enqueue it twice. Compare {@link JobsSqsUnreachableTest}, where the connection is
 * refused and nothing can have been sent.
 */
@QuarkusTest
@QuarkusTestResource(LocalCloudTestResource.class)
@TestProfile(JobsSqsCutTest.SqsCutsConnections.class)
class JobsSqsCutTest {

    /** Reads each request whole, then closes the connection without a byte of answer. */
    static final class CuttingServer {
        static final ServerSocket SOCKET = open();

        private static ServerSocket open() {
            try {
                ServerSocket socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
                Thread t = new Thread(() -> serve(socket), "sqs-cutter");
                t.setDaemon(true);
                t.start();
                return socket;
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }

        private static void serve(ServerSocket socket) {
            while (!socket.isClosed()) {
                try (Socket client = socket.accept()) {
                    readRequest(client.getInputStream());
                } catch (IOException e) {
                    // the next connection
                }
            }
        }

        private static void readRequest(InputStream in) throws IOException {
            StringBuilder head = new StringBuilder();
            while (!head.toString().endsWith("\r\n\r\n")) {
                int b = in.read();
                if (b < 0) {
                    return;
                }
                head.append((char) b);
            }
            int length = 0;
            for (String line : head.toString().split("\r\n")) {
                if (line.toLowerCase().startsWith("content-length:")) {
                    length = Integer.parseInt(line.substring(15).trim());
                }
            }
            in.readNBytes(length);
        }
    }

    public static class SqsCutsConnections implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("quarkus.sqs.endpoint-override", "http://127.0.0.1:" + CuttingServer.SOCKET.getLocalPort(),
                    "coscale.local.create-demo", "false");
        }
    }

    @Test
    void aJobIs502OutcomeUnknownNotA503() {
        problem(json("{\"payload\": {\"seconds\": 1}}").post("/v1/pools/demo/jobs").then(), 502)
                .body("type", containsString("outcome-unknown"))
                .body("detail", containsString("may be enqueued"));
    }

    @Test
    void aBatchIs502WhenEveryEntryMayBeEnqueued() {
        problem(json("{\"jobs\": [{\"payload\": 1}, {\"payload\": 2}]}").post("/v1/pools/demo/jobs:batch").then(), 502)
                .body("detail", containsString("may be enqueued"));
    }
}
