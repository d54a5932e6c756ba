package io.coscale.api;

import io.quarkus.test.junit.QuarkusTestProfile;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Map;

/**
 * What coscale's SQS client reaches in {@link JobsSqsCutTest} and {@link JobsSqsUnreachableTest}: a port of this JVM
 * that either takes each request and cuts the connection without a byte of answer ({@link #cutConnections()}, as a
 * load balancer or a crashed node does) or refuses connections ({@link #refuseConnections()}, nothing listening).
 * Each test class sets the behaviour it is about, so that both share one boot of the application ({@link Profile}).
 */
final class SqsStandIn {

    /** coscale's SQS client on the stand-in. The demo's queues would be created through it at start-up, so they are not. */
    public static class Profile implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("quarkus.sqs.endpoint-override", "http://127.0.0.1:" + PORT,
                    "coscale.local.create-demo", "false");
        }
    }

    /** Listening or closed; the port stays the same. */
    private static ServerSocket socket;
    private static final int PORT = listen(0).getLocalPort();

    private SqsStandIn() {
    }

    /** From now on, each connection's request is read whole and the connection closed without an answer. */
    static synchronized void cutConnections() {
        if (socket == null || socket.isClosed()) {
            socket = listen(PORT);
        }
    }

    /** From now on, connections are refused: nothing listens on the port. */
    static synchronized void refuseConnections() {
        try {
            if (socket != null) {
                socket.close();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static synchronized ServerSocket listen(int port) {
        try {
            ServerSocket listening = new ServerSocket();
            listening.setReuseAddress(true);
            listening.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 50);
            Thread cutter = new Thread(() -> cut(listening), "sqs-cutter");
            cutter.setDaemon(true);
            cutter.start();
            socket = listening;
            return listening;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen on 127.0.0.1:" + port, e);
        }
    }

    private static void cut(ServerSocket listening) {
        while (!listening.isClosed()) {
            try (Socket client = listening.accept()) {
                readRequest(client.getInputStream());
            } catch (IOException e) {
                // the next connection, or closed
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
