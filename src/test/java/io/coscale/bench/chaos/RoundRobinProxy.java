package io.coscale.bench.chaos;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The load balancer in front of coscale's replicas, as far as a failover run needs one: each connection goes to the
 * next replica that accepts it, round robin, so a replica killed -9 is passed over (as a load balancer's health check
 * would, only at once). A replica can be drained, as a deploy deregisters a target before it stops the task: it gets
 * no new connection. Bytes are piped both ways until either side closes.
 */
final class RoundRobinProxy implements AutoCloseable {

    private final ServerSocket server;
    private final List<Integer> backends;
    private final AtomicInteger next = new AtomicInteger();
    private final Set<Integer> drained = ConcurrentHashMap.newKeySet();

    RoundRobinProxy(int port, List<Integer> backends) throws IOException {
        this.server = new ServerSocket(port, 200, InetAddress.getLoopbackAddress());
        this.backends = backends;
        Thread accept = new Thread(this::acceptAll, "proxy-accept");
        accept.setDaemon(true);
        accept.start();
    }

    private void acceptAll() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                Socket backend = connect();
                if (backend == null) {
                    client.close(); // nobody up: the caller sees a dropped connection, as behind a real balancer
                    continue;
                }
                pipe(client, backend);
                pipe(backend, client);
            } catch (IOException e) {
                // the server closed, or one connection failed: go on
            }
        }
    }

    /** New connections no longer go to the replica on {@code port} (those open stay open). */
    void drain(int port) {
        drained.add(port);
    }

    /** The replica on {@code port} gets new connections again. */
    void restore(int port) {
        drained.remove(port);
    }

    private Socket connect() {
        for (int i = 0; i < backends.size(); i++) {
            int port = backends.get(Math.floorMod(next.getAndIncrement(), backends.size()));
            if (drained.contains(port)) {
                continue;
            }
            try {
                Socket s = new Socket();
                s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 500);
                return s;
            } catch (IOException refused) {
                // down: the next one
            }
        }
        return null;
    }

    private static void pipe(Socket from, Socket to) {
        Thread t = new Thread(() -> {
            byte[] buffer = new byte[16 * 1024];
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                for (int n; (n = in.read(buffer)) >= 0; ) {
                    out.write(buffer, 0, n);
                    out.flush();
                }
            } catch (IOException e) {
                // one side went away
            } finally {
                closeQuietly(from);
                closeQuietly(to);
            }
        }, "proxy-pipe");
        t.setDaemon(true);
        t.start();
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException e) {
            // closing anyway
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
