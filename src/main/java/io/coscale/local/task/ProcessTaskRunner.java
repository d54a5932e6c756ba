package io.coscale.local.task;

import io.coscale.concurrent.Threads;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.jboss.logging.Logger;

/**
 * Runs each task as an OS process, {@code bash -c <command>}, in any language. The stop signal is SIGTERM
 * ({@link Process#destroy()}) to the process alone, as ECS signals a container's main process; the kill is
 * SIGKILL ({@link Process#destroyForcibly()}) to the process and all its descendants. The process's output is
 * logged line by line under the task's short id.
 */
public final class ProcessTaskRunner implements TaskRunner {

    private static final Logger LOG = Logger.getLogger(ProcessTaskRunner.class);

    private final String command;

    public ProcessTaskRunner(String command) {
        this.command = command;
    }

    @Override
    public TaskProcess start(TaskLaunch launch, TaskProcess.ExitListener onExit) {
        String id = ThreadTaskRunner.shortId(launch.taskArn());
        ProcessBuilder builder = new ProcessBuilder(List.of("bash", "-c", command)).redirectErrorStream(true);
        builder.environment().putAll(launch.environment());
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start task " + id + " with: " + command, e);
        }
        Threads.daemon("task-" + id + "-out").newThread(() -> pumpOutput(id, process)).start();
        process.onExit().thenAccept(p -> onExit.exited(p.exitValue()));
        return new TaskProcess() {
            @Override
            public void signalStop() {
                // Through the handle: Process.destroy() also closes our end of the output pipe, which would
                // lose what the worker logs while it shuts down (and break its writes).
                process.toHandle().destroy();
            }

            @Override
            public void kill() {
                // SIGKILL ends a whole container, so it must end the worker's children too: a shell wrapper's
                // child would otherwise outlive the task. Snapshot first, since they are reparented once it dies.
                List<ProcessHandle> children = process.descendants().toList();
                process.destroyForcibly();
                children.forEach(ProcessHandle::destroyForcibly);
            }
        };
    }

    private static void pumpOutput(String id, Process process) {
        try (BufferedReader out = new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line = out.readLine(); line != null; line = out.readLine()) {
                LOG.infof("[task %s] %s", id, line);
            }
        } catch (IOException e) {
            LOG.debugf("task %s: output closed: %s", id, e.getMessage());
        }
    }
}
