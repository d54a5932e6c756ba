package io.coscale.control;

import io.coscale.concurrent.Threads;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.LongSupplier;
import java.util.random.RandomGenerator;

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
 * With them go the time the control path measures intervals by ({@code nanoClock}, the timer's clock) and the
 * jitter of its retry pauses: {@link System#nanoTime()} and {@link ThreadLocalRandom} in production, a virtual clock
 * and a seeded random in the deterministic simulation, which runs all four kinds on one thread in an order of its own.
 */
record ControlThreads(ExecutorService steps, ExecutorService ecsCalls, ExecutorService sqsCalls,
        ScheduledExecutorService timer, LongSupplier nanoClock, RandomGenerator jitter) {

    static ControlThreads create(int steps, int ecsCalls, int sqsCalls) {
        return new ControlThreads(Executors.newFixedThreadPool(steps, Threads.daemon("coscale-step")),
                Executors.newFixedThreadPool(ecsCalls, Threads.daemon("coscale-ecs")),
                Executors.newFixedThreadPool(sqsCalls, Threads.daemon("coscale-sqs")),
                Executors.newSingleThreadScheduledExecutor(Threads.daemon("coscale-timer")), System::nanoTime,
                ThreadLocalRandom.current());
    }

    void shutdown() {
        timer.shutdownNow();
        steps.shutdownNow();
        ecsCalls.shutdownNow();
        sqsCalls.shutdownNow();
    }

}
