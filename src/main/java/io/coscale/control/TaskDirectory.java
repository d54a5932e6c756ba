package io.coscale.control;

import io.coscale.aws.AwsCallException;
import io.coscale.aws.EcsGateway;
import io.coscale.aws.TaskState;
import io.coscale.config.ControlConfig;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Who a task is, as ECS says: looked up with DescribeTasks, merged into calls of up to 100 tasks per cluster
 * while one is in flight, and trusted for a short while. Claims and releases come often (every job, every
 * empty poll), and ECS's read budget is shared by the whole account.
 */
final class TaskDirectory {

    private static final Pattern TASK_ARN = Pattern.compile(
            "arn:aws[a-z-]*:ecs:[a-z0-9-]+:\\d{12}:task/([A-Za-z0-9_-]{1,255})/([a-f0-9]{32}|[A-Za-z0-9-]{1,64})");
    private static final Duration LOOKUP_TIMEOUT = Duration.ofSeconds(10);

    private record Cached(TaskState state, long fetchedNanos) {
    }

    private final Batcher<String, String, TaskState> describe;
    private final Map<String, Cached> cache = new ConcurrentHashMap<>();
    private final long ttlNanos;

    TaskDirectory(EcsGateway ecs, Executor executor, ControlConfig config) {
        this.describe = new Batcher<>(100, executor, (cluster, arns) -> new HashMap<>(ecs.describeTasks(cluster, arns)),
                (a, b) -> true);
        this.ttlNanos = config.taskCacheTtl().toNanos();
    }

    /** The cluster name in a task ARN of the long form {@code arn:aws:ecs:<region>:<account>:task/<cluster>/<id>}. */
    static String clusterOf(String taskArn) {
        Matcher m = TASK_ARN.matcher(taskArn == null ? "" : taskArn);
        if (!m.matches()) {
            throw new IllegalArgumentException("taskArn must look like arn:aws:ecs:<region>:<account>:task/<cluster>/<id>");
        }
        return m.group(1);
    }

    /** The task's state, fresh or at most {@code taskCacheTtl} old. */
    TaskState lookup(String taskArn) throws InterruptedException {
        Cached cached = cache.get(taskArn);
        long now = System.nanoTime();
        if (cached != null && now - cached.fetchedNanos() < ttlNanos) {
            return cached.state();
        }
        try {
            TaskState state = describe.submit(clusterOf(taskArn), taskArn).get(LOOKUP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            cache.put(taskArn, new Cached(state, System.nanoTime()));
            if (cache.size() > 50_000) {
                cache.values().removeIf(c -> System.nanoTime() - c.fetchedNanos() >= ttlNanos);
            }
            return state;
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        } catch (TimeoutException e) {
            throw new AwsCallException("DescribeTasks did not answer within " + LOOKUP_TIMEOUT, true, false, "Timeout", e);
        }
    }
}
