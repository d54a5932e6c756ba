package io.coscale.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class LoopbackPortsTest {

    @Test
    void aPortIsPickedBelowTheRangeOutgoingConnectionsDrawTheirLocalPortsFrom() throws IOException {
        Path range = Path.of("/proc/sys/net/ipv4/ip_local_port_range");
        int ephemeralStart = Files.isReadable(range)
                ? Integer.parseInt(Files.readString(range).trim().split("\\s+")[0]) : 32_768;

        for (int i = 0; i < 20; i++) {
            int port = LoopbackPorts.free();
            if (ephemeralStart - 10_000 >= 1_000) {
                assertThat(port).isBetween(10_000, ephemeralStart - 1);
            }
            try (ServerSocket server = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
                assertThat(server.getLocalPort()).as("free when picked").isEqualTo(port);
            }
        }
    }
}
