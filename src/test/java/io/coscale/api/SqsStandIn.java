package io.coscale.api;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.microprofile.config.ConfigProvider;

/**
 * What coscale's SQS client reaches in the API tests ({@link ApiTestProfile}): a port of this JVM in front of the local
 * cloud's SQS. It forwards every connection there ({@link #forward()}, what the tests that share the profile see), or
 * takes each request and cuts the connection without a byte of answer ({@link #cutConnections()}, as a load balancer or
 * a crashed node does), or refuses connections ({@link #refuseConnections()}, nothing listening). A test that changes it
 * sets it back to {@link #forward()} after. It sits in front of coscale's own client, because the SDK sends to the
 * client's endpoint whatever the queue URL says: the only way to make SQS unreachable for one pool is to make it
 * unreachable for coscale.
 */
final class SqsStandIn {

    /** The setting that puts coscale's SQS client on the stand-in. */
    static Map.Entry<String, String> endpoint() {
        return Map.entry("quarkus.sqs.endpoint-override", "http://127.0.0.1:" + PORT);
    }

    /** Listening or closed; the port stays the same. */
    private static ServerSocket socket;
    /** Whether each connection's request is read and the connection closed without an answer, instead of forwarded. */
    private static volatile boolean cutting;
    /** The connections open now, both ends of those forwarded: closed when the stand-in stops forwarding. */
    private static final Set<Socket> OPEN = ConcurrentHashMap.newKeySet();
    private static final int PORT = listen(0).getLocalPort();

    private SqsStandIn() {
    }

    /** From now on, each connection goes to the local cloud's SQS: the stand-in is not there. */
    static synchronized void forward() {
        cutting = false;
        listening();
    }

    /** From now on, each connection's request is read whole and the connection closed without an answer. */
    static synchronized void cutConnections() {
        cutting = true;
        closeOpen();
        listening();
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
        closeOpen();
    }

    private static void listening() {
        if (socket == null || socket.isClosed()) {
            socket = listen(PORT);
        }
    }

    /** Closes every connection open now, so that a connection the client keeps alive sees the change too. */
    private static void closeOpen() {
        for (Socket open : OPEN) {
            close(open);
        }
    }

    private static synchronized ServerSocket listen(int port) {
        try {
            ServerSocket listening = new ServerSocket();
            listening.setReuseAddress(true);
            listening.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 50);
            daemon("sqs-stand-in", () -> accept(listening));
            socket = listening;
            return listening;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen on 127.0.0.1:" + port, e);
        }
    }

    private static void accept(ServerSocket listening) {
        while (!listening.isClosed()) {
            try {
                Socket client = listening.accept();
                OPEN.add(client);
                daemon("sqs-stand-in-connection", () -> serve(client));
            } catch (IOException e) {
                // the next connection, or closed
            }
        }
    }

    private static void serve(Socket client) {
        try {
            if (cutting) {
                readRequest(client.getInputStream());
                return;
            }
            Socket sqs = new Socket(InetAddress.getLoopbackAddress(), sqsPort());
            OPEN.add(sqs);
            daemon("sqs-stand-in-answers", () -> pump(sqs, client));
            pump(client, sqs);
        } catch (IOException e) {
            // the connection is over
        } finally {
            close(client);
        }
    }

    /** The local cloud's SQS port, as the application under test has it. */
    private static int sqsPort() {
        return ConfigProvider.getConfig(SqsStandIn.class.getClassLoader())
                .getValue("coscale.local.sqs-port", Integer.class);
    }

    /** Copies {@code from}'s bytes to {@code to} until either closes, then closes both. */
    private static void pump(Socket from, Socket to) {
        try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
            byte[] buffer = new byte[8192];
            for (int n; (n = in.read(buffer)) >= 0; ) {
                out.write(buffer, 0, n);
                out.flush();
            }
        } catch (IOException e) {
            // closed on either side
        } finally {
            close(from);
            close(to);
        }
    }

    private static void close(Socket socket) {
        OPEN.remove(socket);
        try {
            socket.close();
        } catch (IOException e) {
            // closed already
        }
    }

    private static void daemon(String name, Runnable work) {
        Thread thread = new Thread(work, name);
        thread.setDaemon(true);
        thread.start();
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
