package io.coscale.lease;

import io.coscale.aws.DynamoDbTable;
import java.util.Optional;
import static org.awaitility.Awaitility.await;

import io.coscale.local.LocalCloud;
import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A dynalite server (a DynamoDB-compatible server, in memory) on 127.0.0.1 and a free port for the tests of one
 * class ({@code @RegisterExtension static final Dynalite DYNALITE = new Dynalite();}), or of a Quarkus test
 * ({@link DynaliteTestResource}). The build installs it into
 * {@code target/dynalite} (src/test/dynalite/install.sh); a missing install fails the tests rather than skipping
 * them. Its output goes to {@code target/dynalite/dynalite-<port>.log}.
 */
public final class Dynalite implements BeforeAllCallback, AfterAllCallback {

    static final Path HOME = Path.of("target", "dynalite");
    static final Path CLI = HOME.resolve("node_modules/dynalite/cli.js");

    private Process process;
    private int port;

    /** The endpoint to point a DynamoDB client at. */
    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + port);
    }

    @Override
    public void beforeAll(ExtensionContext context) throws IOException {
        start();
    }

    @Override
    public void afterAll(ExtensionContext context) throws InterruptedException {
        stop();
    }

    /** Starts the server and returns once it accepts connections. */
    public void start() throws IOException {
        if (!Files.isRegularFile(CLI)) {
            throw new IllegalStateException(CLI.toAbsolutePath() + " is missing: install dynalite with "
                    + "`./mvnw process-test-classes` (or bash src/test/dynalite/install.sh)");
        }
        port = LocalCloud.freePort();
        Path log = HOME.resolve("dynalite-" + port + ".log");
        // Tables stay CREATING for 200 ms (the default is 500), long enough to exercise the wait for ACTIVE.
        process = new ProcessBuilder("node", CLI.toString(), "--host", "127.0.0.1", "--port", Integer.toString(port),
                "--createTableMs", "200")
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        await("dynalite on port " + port).atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50))
                .until(() -> {
                    if (!process.isAlive()) {
                        throw new IllegalStateException("dynalite exited with " + process.exitValue() + ": "
                                + Files.readString(log));
                    }
                    return answers();
                });
    }

    /**
     * Creates the table {@code name} as coscale's lease table and waits until it is ACTIVE, as the deployment's
     * stack does before any replica starts (replicas as deployed do not create it: their role may not).
     */
    public void createTable(String name) {
        DynamoDbLeaseStore.open(new DynamoDbTable(name, Optional.of(endpoint()), Optional.of("us-east-1"), true,
                Duration.ofSeconds(10))).createTable();
    }

    /** Stops the server, if it runs. */
    public void stop() throws InterruptedException {
        if (process != null) {
            process.destroy();
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        }
    }

    private boolean answers() {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
