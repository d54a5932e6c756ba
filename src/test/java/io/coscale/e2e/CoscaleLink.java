package io.coscale.e2e;

import io.coscale.concurrent.Threads;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The workers' way to coscale: a TCP forwarder on loopback that the conformance kit can {@link #cut()}, as a network
 * partition would. While cut, every connection open through it is reset and every new one is reset as soon as it is
 * accepted; a worker sees what it would see of a coscale it cannot reach (connection refused or cut), while the
 * kit, which calls coscale directly, still submits jobs and reads the pool. A coscale that is down (restarting) reads
 * the same way through the link.
 */
final class CoscaleLink implements AutoCloseable {

    private final ServerSocket server;
    private final int targetPort;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final ExecutorService pipes = Executors.newCachedThreadPool(Threads.daemon("coscale-link"));
    private volatile boolean cut;

    private CoscaleLink(int targetPort) throws IOException {
        this.targetPort = targetPort;
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        pipes.execute(this::accept);
    }

    /** A link on a free loopback port to coscale's port {@code targetPort}. */
    static CoscaleLink to(int targetPort) {
        try {
            return new CoscaleLink(targetPort);
        } catch (IOException e) {
            throw new UncheckedIOException("no loopback port for the link to coscale", e);
        }
    }

    /** The base URL the workers are given for coscale. */
    String url() {
        return "http://127.0.0.1:" + server.getLocalPort();
    }

    /** coscale unreachable from here on: open connections are reset, new ones too. */
    void cut() {
        cut = true;
        open.forEach(CoscaleLink::reset);
    }

    /** coscale reachable again. */
    void restore() {
        cut = false;
    }

    private void accept() {
        while (!server.isClosed()) {
            Socket client;
            try {
                client = server.accept();
            } catch (IOException e) {
                return; // closed
            }
            if (cut) {
                reset(client);
                continue;
            }
            Socket coscale = new Socket();
            try {
                coscale.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), targetPort), 2_000);
            } catch (IOException e) {
                reset(client); // coscale is down: refused, as the worker would see it
                continue;
            }
            open.add(client);
            open.add(coscale);
            pipes.execute(() -> pipe(client, coscale));
            pipes.execute(() -> pipe(coscale, client));
        }
    }

    private void pipe(Socket from, Socket to) {
        byte[] buffer = new byte[8192];
        try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
            for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                out.write(buffer, 0, n);
                out.flush();
            }
        } catch (IOException e) {
            // either side closed or reset: close both
        } finally {
            // A plain close: the other side may still be reading what was just written to it.
            open.remove(from);
            open.remove(to);
            closeQuietly(from);
            closeQuietly(to);
        }
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException e) {
            // already gone
        }
    }

    private static void reset(Socket socket) {
        try {
            socket.setSoLinger(true, 0); // RST, not FIN: the peer sees a connection reset, not an answer cut short
            socket.close();
        } catch (IOException e) {
            // already gone
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        open.forEach(CoscaleLink::reset);
        pipes.shutdownNow();
    }
}
