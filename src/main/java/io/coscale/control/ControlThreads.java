package io.coscale.control;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The threads of the control path, each kind bounded and used for one thing, so that no kind of work waits for
 * threads another kind holds:
 * <ul>
 *   <li>{@code steps}: the pools' serialized steps and the callbacks of their futures; never blocked (a step that
 *       waits for ECS, SQS or the UpdateService budget has returned a future and holds no thread);</li>
 *   <li>{@code ecsCalls}: blocking ECS SDK calls, each bounded by the SDK's timeouts;</li>
 *   <li>{@code sqsCalls}: blocking SQS SDK calls (sends and queue reads), kept apart so that a slow ECS never delays
 *       an enqueue;</li>
 *   <li>{@code timer}: delays (scale-up spacing, retry pauses, delayed jobs); its tasks only hand work on.</li>
 * </ul>
 */
record ControlThreads(ExecutorService steps, ExecutorService ecsCalls, ExecutorService sqsCalls,
        ScheduledExecutorService timer) {

    static ControlThreads create(int steps, int ecsCalls, int sqsCalls) {
        return new ControlThreads(Executors.newFixedThreadPool(steps, daemon("coscale-step")),
                Executors.newFixedThreadPool(ecsCalls, daemon("coscale-ecs")),
                Executors.newFixedThreadPool(sqsCalls, daemon("coscale-sqs")),
                Executors.newSingleThreadScheduledExecutor(daemon("coscale-timer")));
    }

    void shutdown() {
        timer.shutdownNow();
        steps.shutdownNow();
        ecsCalls.shutdownNow();
        sqsCalls.shutdownNow();
    }

    static ThreadFactory daemon(String name) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
