package io.coscale.e2e;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The Python example worker ({@code deploy/examples/worker-python/worker.py}) as tests run it: which interpreter,
 * where the script is, and how to quote it in a shell command.
 */
public final class PythonWorkers {

    /** Debian's interpreter first: it is the one .ci/run gives boto3 to. Then whatever python3 is on PATH. */
    public static final List<String> CANDIDATES = List.of("/usr/bin/python3", "python3");

    private PythonWorkers() {
    }

    /** Surefire runs in the module's base directory; {@code basedir} says so explicitly when set. */
    public static Path workerScript() {
        Path base = Path.of(System.getProperty("basedir", "")).toAbsolutePath();
        return base.resolve("deploy/examples/worker-python/worker.py").normalize();
    }

    public static String shellQuote(Path path) {
        return "'" + path.toString().replace("'", "'\\''") + "'";
    }

    /** The first of {@link #CANDIDATES} that can import boto3. */
    public static Optional<String> pythonWithBoto3() {
        for (String python : CANDIDATES) {
            if (canImportBoto3(python)) {
                return Optional.of(python);
            }
        }
        return Optional.empty();
    }

    private static boolean canImportBoto3(String python) {
        if (python.startsWith("/") && !Files.isExecutable(Path.of(python))) {
            return false;
        }
        try {
            Process process = new ProcessBuilder(python, "-c", "import boto3")
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                return false;
            }
            return process.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
