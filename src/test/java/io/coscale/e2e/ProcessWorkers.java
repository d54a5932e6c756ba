package io.coscale.e2e;

import io.quarkus.test.junit.QuarkusTestProfile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;

/**
 * The demo pool with every task an OS process, its command set by the test at run time: each task runs the script
 * {@link #use} last wrote, so that the end-to-end tests of different workers share one boot of the application
 * ({@link Profile}). A test sets its worker while the pool has no task, and leaves it with none. coscale's and the
 * workers' SQS calls go through the local cloud's SQS proxy, which checks their signatures as SQS would.
 */
final class ProcessWorkers {

    /** Where the worker command is; the same file for the profile and the tests, whatever class loader reads this. */
    static final Path SCRIPT = Path.of(System.getProperty("basedir", "")).toAbsolutePath()
            .resolve("target/e2e-worker-command.sh");

    public static class Profile implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("coscale.local.sqs-proxy", "true",
                    "coscale.local.worker-command", "exec bash " + PythonWorkers.shellQuote(SCRIPT));
        }
    }

    private ProcessWorkers() {
    }

    /** Tasks started from now on run {@code command} (a bash command line). */
    static void use(String command) {
        try {
            Path written = Files.createTempFile(SCRIPT.getParent(), "e2e-worker", ".sh");
            Files.writeString(written, command + "\n");
            Files.move(written, SCRIPT, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the worker command to " + SCRIPT, e);
        }
    }
}
