package io.coscale.control;

import io.coscale.aws.AwsCallException;
import io.coscale.aws.EcsGateway;
import io.coscale.aws.OutgoingMessage;
import io.coscale.aws.QueueGateway;
import io.coscale.aws.TaskState;
import io.coscale.config.ControlConfig;
import io.coscale.config.PoolsConfig;
import io.coscale.domain.Pool;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.time.Instant;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import org.jboss.logging.Logger;

/**
 * The control plane's front: the managed pools, loaded and validated at start-up, and the rule that turns
 * a task ARN into the pool that may act on it.
 */
@Singleton
public class ControlPlane {

    private static final Logger LOG = Logger.getLogger(ControlPlane.class);

    private final PoolsConfig poolsConfig;
    private final QueueGateway queues;
    private final ControlContext ctx;
    private final ControlMetrics metrics;
    private final TaskDirectory directory;
    private final QueueSender sender;
    private final ExecutorService executor;
    private final ScheduledExecutorService timer;
    private volatile Map<String, PoolController> pools = Map.of();

    ControlPlane(PoolsConfig poolsConfig, ControlConfig config, EcsGateway ecs, QueueGateway queues,
            UpdateServiceBudget budget, ControlMetrics metrics) {
        this.poolsConfig = poolsConfig;
        this.queues = queues;
        this.metrics = metrics;
        this.executor = Executors.newFixedThreadPool(config.threads(), daemon("coscale-control"));
        this.timer = Executors.newSingleThreadScheduledExecutor(daemon("coscale-timer"));
        Batcher<String, ProtectionChange, Optional<Instant>> protection = new Batcher<>(10, executor,
                (cluster, changes) -> protect(ecs, cluster, changes), ProtectionChange::sameCall);
        this.ctx = new ControlContext(ecs, queues, budget, protection, executor, timer, Clock.systemUTC(),
                config.scaleUpSpacing(), config.scaleUpSpacingMax(), config.eventsPerPool(), config.exitSettle(), metrics);
        this.directory = new TaskDirectory(ecs, executor, config);
        this.sender = new QueueSender(queues, executor);
    }

    /** Loads the pools after local mode (priority 1) has its SQS up; invalid configuration stops start-up. */
    void load(@Observes @Priority(10) StartupEvent event) {
        Map<String, PoolController> loaded = new LinkedHashMap<>();
        for (Pool pool : PoolLoader.load(poolsConfig, queues)) {
            PoolController controller = new PoolController(pool, ctx);
            metrics.register(controller);
            loaded.put(pool.name(), controller);
        }
        pools = Collections.unmodifiableMap(loaded);
        LOG.infof("coscale manages %d pool(s): %s", loaded.size(), loaded.keySet());
    }

    void stop(@Observes ShutdownEvent event) {
        timer.shutdownNow();
        executor.shutdownNow();
    }

    public boolean isLoaded() {
        return !pools.isEmpty() || poolsConfig.pools().isEmpty();
    }

    public Collection<PoolController> pools() {
        return pools.values();
    }

    public Optional<PoolController> pool(String name) {
        return Optional.ofNullable(pools.get(name));
    }

    /**
     * The pool a worker's task belongs to: the task must be a PENDING or RUNNING task of a managed pool's
     * service (its group is {@code service:<name>}), and must agree with {@code claimedPool} when one is given.
     *
     * @throws IllegalArgumentException the ARN is malformed
     * @throws TaskRejectedException the task is not a live task of a managed pool
     * @throws AwsCallException ECS could not be asked
     */
    public PoolController poolOfTask(String taskArn, Optional<String> claimedPool) throws InterruptedException {
        return resolve(taskArn, claimedPool).pool();
    }

    /** A worker's task as ECS reports it, and the pool it belongs to. */
    public record WorkerTask(PoolController pool, TaskState task) {
    }

    /**
     * The worker's task and its pool, checked as {@link #poolOfTask} says.
     *
     * @throws IllegalArgumentException the ARN is malformed
     * @throws TaskRejectedException the task is not a live task of a managed pool
     * @throws AwsCallException ECS could not be asked
     */
    public WorkerTask resolve(String taskArn, Optional<String> claimedPool) throws InterruptedException {
        String cluster = TaskDirectory.clusterOf(taskArn);
        if (pools.values().stream().noneMatch(p -> sameName(p.pool().cluster(), cluster))) {
            // No need to ask ECS about a cluster coscale manages nothing in.
            throw new TaskRejectedException("cluster " + cluster + " of task " + taskArn + " has no managed pool");
        }
        TaskState task = directory.lookup(taskArn);
        if (!task.isLive()) {
            throw new TaskRejectedException("task " + taskArn + " is not a PENDING or RUNNING task (" + task.lastStatus() + ")");
        }
        String service = task.serviceName()
                .orElseThrow(() -> new TaskRejectedException("task " + taskArn + " was not started by a service"));
        PoolController pool = pools.values().stream()
                .filter(p -> sameName(p.pool().cluster(), cluster) && sameName(p.pool().service(), service))
                .findFirst()
                .orElseThrow(() -> new TaskRejectedException("service " + service + " of cluster " + cluster
                        + " is not a managed pool"));
        if (claimedPool.isPresent() && !claimedPool.get().equals(pool.pool().name())) {
            throw new TaskRejectedException("task " + taskArn + " belongs to pool " + pool.pool().name()
                    + ", not " + claimedPool.get());
        }
        return new WorkerTask(pool, task);
    }

    /**
     * Enqueues one job on a queue, merged with concurrent ones into SendMessageBatch calls; returns once SQS
     * has accepted it.
     *
     * @throws AwsCallException SQS refused it or could not be reached: the job is not enqueued
     */
    public void enqueue(String queueUrl, OutgoingMessage message) throws InterruptedException {
        sender.send(queueUrl, message);
    }

    ControlContext context() {
        return ctx;
    }

    private static boolean sameName(String configured, String name) {
        return configured.equals(name) || configured.endsWith("/" + name);
    }

    /** One UpdateTaskProtection call; an enable ECS refused has no answer (the claim fails), a refused disable is moot. */
    static Map<ProtectionChange, Optional<Instant>> protect(EcsGateway ecs, String cluster,
            List<ProtectionChange> changes) {
        ProtectionChange first = changes.get(0);
        Map<String, Optional<Instant>> byArn = ecs.setProtection(cluster,
                changes.stream().map(ProtectionChange::taskArn).distinct().toList(), first.enabled(), first.minutes());
        Map<ProtectionChange, Optional<Instant>> answers = new HashMap<>();
        for (ProtectionChange change : changes) {
            Optional<Instant> answer = byArn.get(change.taskArn());
            if (answer != null || !change.enabled()) {
                answers.put(change, answer == null ? Optional.empty() : answer);
            }
        }
        return answers;
    }

    private static ThreadFactory daemon(String name) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
