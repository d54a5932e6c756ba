package io.coscale.local.task;

import io.coscale.concurrent.Threads;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jboss.logging.Logger;

/**
 * Runs each task as one thread of this JVM. The stop signal is an interrupt; a kill abandons the thread
 * (a JVM cannot kill a thread) and reports exit code 137 at once, as ECS would after SIGKILL.
 */
public final class ThreadTaskRunner implements TaskRunner {

    private static final Logger LOG = Logger.getLogger(ThreadTaskRunner.class);

    private final InJvmWorker worker;

    public ThreadTaskRunner(InJvmWorker worker) {
        this.worker = worker;
    }

    @Override
    public TaskProcess start(TaskLaunch launch, TaskProcess.ExitListener onExit) {
        AtomicBoolean exited = new AtomicBoolean();
        Thread thread = Threads.daemon("task-" + shortId(launch.taskArn())).newThread(() -> {
            int code;
            try {
                code = worker.run(launch);
            } catch (InterruptedException e) {
                code = 143; // stopped by the signal, like a process killed by SIGTERM
            } catch (Exception | Error e) {
                LOG.warnf(e, "task %s: worker failed", shortId(launch.taskArn()));
                code = 1;
            }
            if (exited.compareAndSet(false, true)) {
                onExit.exited(code);
            }
        });
        thread.start();
        return new TaskProcess() {
            @Override
            public void signalStop() {
                thread.interrupt();
            }

            @Override
            public void kill() {
                // Claim the exit before interrupting: else the woken worker can report 143 first, and a kill
                // must read as SIGKILL's 137.
                boolean first = exited.compareAndSet(false, true);
                thread.interrupt();
                if (first) {
                    onExit.exited(137);
                }
            }
        };
    }

    static String shortId(String taskArn) {
        String id = taskArn.substring(taskArn.lastIndexOf('/') + 1);
        return id.length() > 8 ? id.substring(0, 8) : id;
    }
}
