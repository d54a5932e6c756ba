package io.coscale.local.ecs;

/**
 * Why the emulator stopped a task: each cause has its own counters in {@link EmulatorStats}, so that a
 * scale-in or deployment victim that held a message (what coscale promises never happens) is never
 * confused with an injected death or an operator's StopTask.
 */
enum StopCause {
    /** The service scheduler's scale-in: too many tasks for desiredCount. */
    SCALE_IN,
    /** A rolling deployment replacing a task of an older task definition. */
    DEPLOYMENT,
    /** StopTask, by an operator or a test. */
    STOP_TASK,
    /** The workload ended by itself (ECS: essential container exited). */
    EXITED,
    /**
     * A stop for a reason of ECS's own: an injected crash, or an {@link Interruption} (Spot interruption, host
     * retirement, out-of-memory kill).
     */
    DEATH
}
