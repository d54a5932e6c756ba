package io.coscale.e2e;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The Python example worker as tests run it: {@code coscale-run -- python3 process.py}
 * ({@code deploy/coscale-run}, {@code deploy/examples/worker-python/process.py}), on a python3 with nothing installed.
 */
public final class PythonWorkers {

    private PythonWorkers() {
    }

    /** Debian's interpreter when there is one, as the example's image has it; else whatever python3 is on PATH. */
    public static String python() {
        return Files.isExecutable(Path.of("/usr/bin/python3")) ? "/usr/bin/python3" : "python3";
    }

    /**
     * The worker's command line: coscale-run around process.py, both on {@link #python()}. -B: no __pycache__ in the
     * work tree.
     */
    public static String command() {
        String python = python();
        return python + " -B " + shellQuote(deployFile("coscale-run/coscale-run")) + " -- " + python + " -B "
                + shellQuote(deployFile("examples/worker-python/process.py"));
    }

    /** A file under {@code deploy/}; Surefire runs in the module's base directory, {@code basedir} says so when set. */
    public static Path deployFile(String path) {
        return Path.of(System.getProperty("basedir", "")).toAbsolutePath().resolve("deploy").resolve(path).normalize();
    }

    public static String shellQuote(Path path) {
        return "'" + path.toString().replace("'", "'\\''") + "'";
    }
}
