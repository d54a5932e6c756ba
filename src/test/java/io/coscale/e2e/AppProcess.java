package io.coscale.e2e;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The packaged application ({@code target/quarkus-app/quarkus-run.jar}) run as an OS process with a profile and
 * system properties, its output appended to a log file. It can be killed with SIGKILL ({@link #kill9()}: the JVM
 * gets no chance to answer, flush or shut down) and started again with the same settings.
 */
public final class AppProcess implements AutoCloseable {

    static final Path JAR = Path.of("target", "quarkus-app", "quarkus-run.jar");

    private final String name;
    private final List<String> command;
    private final Map<String, String> environment;
    private final Path log;
    private final URI readiness;
    private Process process;
    private int starts;

    public AppProcess(String name, String profile, Map<String, String> properties, Path log, URI readiness) {
        this(name, profile, properties, Map.of(), log, readiness);
    }

    /** As above, with {@code environment} added to this process's own (as a task definition's would be). */
    public AppProcess(String name, String profile, Map<String, String> properties, Map<String, String> environment,
            Path log, URI readiness) {
        if (!Files.isRegularFile(JAR)) {
            throw new IllegalStateException(JAR + " is missing: the chaos run needs the packaged application "
                    + "(run it through Maven's verify, which packages first)");
        }
        this.name = name;
        this.log = log;
        this.readiness = readiness;
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m", "-XX:+UseSerialGC", "-Dquarkus.profile=" + profile));
        properties.forEach((k, v) -> cmd.add("-D" + k + "=" + v));
        cmd.addAll(List.of("-jar", JAR.toString()));
        this.command = List.copyOf(cmd);
        this.environment = Map.copyOf(environment);
    }

    /** Starts the process and waits until {@code readiness} answers 200. */
    public void start(Duration timeout) throws IOException, InterruptedException {
        Files.createDirectories(log.getParent());
        // Each run's log starts afresh; the restarts of one run follow one another in it.
        Files.writeString(log, "---- start " + (++starts) + " of " + name + "\n", StandardOpenOption.CREATE,
                starts == 1 ? StandardOpenOption.TRUNCATE_EXISTING : StandardOpenOption.APPEND);
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        builder.environment().putAll(environment);
        process = builder.start();
        awaitReady(timeout);
    }

    /** SIGKILL, as an OOM kill or a lost host would end it; returns once the process is gone. */
    public void kill9() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }

    public boolean isAlive() {
        return process != null && process.isAlive();
    }

    public int starts() {
        return starts;
    }

    private void awaitReady(Duration timeout) throws IOException, InterruptedException {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException(name + " exited with " + process.exitValue() + " during start-up; see " + log);
            }
            try {
                HttpResponse<Void> r = http.send(HttpRequest.newBuilder(readiness).timeout(Duration.ofSeconds(2)).GET().build(),
                        HttpResponse.BodyHandlers.discarding());
                if (r.statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException(name + " not ready within " + timeout + " at " + readiness + "; see " + log);
    }

    /** SIGTERM, as ECS stops a task in a deploy; returns once the process is gone (SIGKILL after 15 s). */
    public void terminate() throws InterruptedException {
        close();
    }

    @Override
    public void close() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroy();
            if (!process.waitFor(15, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
            }
        }
    }

    @Override
    public String toString() {
        return name + " (log " + log + ")";
    }
}
