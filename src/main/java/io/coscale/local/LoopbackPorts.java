package io.coscale.local;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Ports on 127.0.0.1 for servers started a while after they are picked. A port the kernel picks for a bind to port 0
 * lies in its ephemeral range, the same range it draws the local ports of outgoing connections from: under load, any
 * process's next connection may take the port before its server binds it. So a port is picked below that range (at
 * random, and checked free), where only a server that asks for it by number can take it.
 */
final class LoopbackPorts {

    private static final Path EPHEMERAL_RANGE = Path.of("/proc/sys/net/ipv4/ip_local_port_range");
    /** The lowest port picked: above the well-known and most registered services' ports. */
    private static final int LOWEST = 10_000;
    /** Linux's default first ephemeral port, where the range cannot be read. */
    private static final int DEFAULT_EPHEMERAL_START = 32_768;
    private static final int TRIES = 100;

    private LoopbackPorts() {
    }

    /** A port that was free a moment ago, outside the ephemeral range where there is room below it. */
    static int free() {
        int below = ephemeralStart();
        for (int i = 0; below - LOWEST >= 1_000 && i < TRIES; i++) {
            int port = ThreadLocalRandom.current().nextInt(LOWEST, below);
            if (bindable(port)) {
                return port;
            }
        }
        return pickedByKernel();
    }

    private static int ephemeralStart() {
        try {
            return Integer.parseInt(Files.readString(EPHEMERAL_RANGE).trim().split("\\s+")[0]);
        } catch (IOException | RuntimeException e) {
            return DEFAULT_EPHEMERAL_START;
        }
    }

    private static boolean bindable(int port) {
        try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static int pickedByKernel() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free port on 127.0.0.1", e);
        }
    }
}
