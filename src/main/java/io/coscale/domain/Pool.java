package io.coscale.domain;

import java.time.Duration;

/**
 * One pool: an ECS service of workers fed by one SQS queue, with the bounds and rules coscale applies to it.
 *
 * <p>Construction validates everything, so a {@code Pool} that exists is a usable pool. Each failure is an
 * {@link IllegalArgumentException} whose message starts with the configuration key at fault, e.g.
 * {@code coscale.pools.demo.max-tasks}, so that an operator can fix the configuration without reading code.
 *
 * @param name the pool's name: the {@code <name>} of {@code coscale.pools.<name>.*} and of {@code /v1/pools/{pool}}
 * @param cluster the ECS cluster name or ARN
 * @param service the ECS service name within that cluster
 * @param queueUrl the SQS queue URL the workers poll
 * @param minTasks the lowest {@code desiredCount} coscale sets: warm capacity kept while idle, may be 0
 * @param maxTasks the highest {@code desiredCount} coscale sets, at least 1
 * @param mode whether busy tasks hold ECS scale-in protection
 * @param messagesPerTask how many messages one task works at once (1: one job per task)
 * @param protectionMinutes how long one claim protects a task, 1..2880 (ECS's own limit is 48 hours)
 * @param scaleInIdle how long the queue must look empty before the reconciler lowers a {@code protect}
 *     pool toward {@code minTasks}; SQS counts lag, so a short value would kill tasks about to get work
 */
public record Pool(
        String name,
        String cluster,
        String service,
        String queueUrl,
        int minTasks,
        int maxTasks,
        Mode mode,
        int messagesPerTask,
        int protectionMinutes,
        Duration scaleInIdle) {

    /** The longest scale-in protection ECS accepts ({@code expiresInMinutes}), in minutes. */
    public static final int MAX_PROTECTION_MINUTES = 2880;

    /** @throws IllegalArgumentException naming the offending {@code coscale.pools.<name>.<key>} */
    public Pool {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("coscale.pools.<name>: the pool name must not be blank");
        }
        requireText(name, "cluster", cluster);
        requireText(name, "service", service);
        requireText(name, "queue-url", queueUrl);
        if (maxTasks < 1) {
            throw invalid(name, "max-tasks", "must be >= 1, got " + maxTasks);
        }
        if (minTasks < 0 || minTasks > maxTasks) {
            throw invalid(name, "min-tasks", "must be within 0.." + maxTasks + " (max-tasks), got " + minTasks);
        }
        if (mode == null) {
            throw invalid(name, "mode", "must be set");
        }
        if (messagesPerTask < 1) {
            throw invalid(name, "messages-per-task", "must be >= 1, got " + messagesPerTask);
        }
        if (protectionMinutes < 1 || protectionMinutes > MAX_PROTECTION_MINUTES) {
            throw invalid(name, "protection-minutes",
                    "must be within 1.." + MAX_PROTECTION_MINUTES + ", got " + protectionMinutes);
        }
        if (scaleInIdle == null || scaleInIdle.isNegative()) {
            throw invalid(name, "scale-in-idle", "must be >= 0, got " + scaleInIdle);
        }
    }

    /** Whether the queue at {@code queueUrl} is a FIFO queue (SQS names every FIFO queue {@code *.fifo}). */
    public static boolean isFifo(String queueUrl) {
        return queueUrl.endsWith(".fifo");
    }

    /** Returns {@code n} moved into {@code [minTasks, maxTasks]}; the result is always a legal desiredCount. */
    public int clamp(int n) {
        return Math.max(minTasks, Math.min(maxTasks, n));
    }

    /** True if {@code n} is within {@code [minTasks, maxTasks]}. */
    public boolean withinBounds(int n) {
        return n >= minTasks && n <= maxTasks;
    }

    private static void requireText(String pool, String key, String value) {
        if (value == null || value.isBlank()) {
            throw invalid(pool, key, "must not be blank");
        }
    }

    private static IllegalArgumentException invalid(String pool, String key, String problem) {
        return new IllegalArgumentException("coscale.pools." + pool + "." + key + " " + problem);
    }
}
