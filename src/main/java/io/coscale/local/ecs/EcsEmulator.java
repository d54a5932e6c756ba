package io.coscale.local.ecs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.coscale.concurrent.Threads;
import io.coscale.concurrent.TokenBucket;
import io.coscale.local.AwsCallLog;
import io.coscale.local.ecs.EcsState.Task;
import io.coscale.local.task.TaskRunner;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.jboss.logging.Logger;

/**
 * An Amazon ECS emulator on loopback: the ECS JSON 1.1 API (the subset coscale uses, plus set-up actions),
 * a service scheduler that behaves like ECS where coscale depends on it, task metadata endpoints v4, ECS's
 * request throttling, and injectable faults. The real AWS SDK and CLI talk to it through an endpoint
 * override. Thread-safe: one lock guards the whole emulated world.
 */
public final class EcsEmulator implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(EcsEmulator.class);

    /**
     * How the emulator behaves.
     *
     * @param clusterCapacity tasks that may be RUNNING at once per cluster
     * @param taskStartDelay how long a task stays PENDING before it may run
     * @param schedulerInterval how often the service scheduler runs
     * @param runner what a task runs
     * @param taskEnvironment environment given to every task, under the task definition's own
     * @param taskExitReportDelay how long after a task's workload exits by itself ECS learns of it
     * @param randomSeed seeds the emulator's own random choices (scale-in victims, task deaths, stale-read lag),
     *     so that a run can be repeated
     */
    public record Options(int clusterCapacity, Duration taskStartDelay, Duration schedulerInterval, TaskRunner runner,
            Map<String, String> taskEnvironment, Duration taskExitReportDelay, long randomSeed) {

        /** Options with a seed drawn at random. */
        public Options(int clusterCapacity, Duration taskStartDelay, Duration schedulerInterval, TaskRunner runner,
                Map<String, String> taskEnvironment, Duration taskExitReportDelay) {
            this(clusterCapacity, taskStartDelay, schedulerInterval, runner, taskEnvironment, taskExitReportDelay,
                    new Random().nextLong());
        }

        /** Options under which ECS learns of a task's exit at once. */
        public Options(int clusterCapacity, Duration taskStartDelay, Duration schedulerInterval, TaskRunner runner,
                Map<String, String> taskEnvironment) {
            this(clusterCapacity, taskStartDelay, schedulerInterval, runner, taskEnvironment, Duration.ZERO);
        }
    }

    /** Thrown by {@link #call} when the caller must get no answer at all: the transport closes the connection. */
    static final class DroppedConnection extends RuntimeException {

        DroppedConnection(String action) {
            super("injected dropped connection after " + action, null, false, false);
        }
    }

    private final Object lock = new Object();
    private final List<CallListener> listeners = new CopyOnWriteArrayList<>();
    private final EcsState state = new EcsState();
    private final EmulatorStats stats = new EmulatorStats();
    private final FaultInjector faults = new FaultInjector();
    /** What the throttles tell time by, in nanoseconds. */
    private volatile LongSupplier throttleClock = System::nanoTime;
    private final Map<String, TokenBucket> throttles = EcsThrottles.perAction(() -> throttleClock.getAsLong());
    private final ServiceScheduler scheduler;
    private final EcsActions actions;
    private final StaleReads staleReads;
    /** What stale reads stamp changes and answers with; guarded by {@code lock}. */
    private Clock staleReadsClock = Clock.systemUTC();
    private final TaskDeaths taskDeaths;
    private final ScheduledExecutorService ticker;
    private final EcsHttpServer http;

    private EcsEmulator(int port, Options options) throws IOException {
        this.http = new EcsHttpServer(port, this);
        String endpoint = http.endpoint();
        LOG.debugf("ECS emulator random seed %d", options.randomSeed());
        Random random = new Random(options.randomSeed());
        this.scheduler = new ServiceScheduler(state, stats, options.runner(), options.clusterCapacity(),
                options.taskStartDelay(), options.taskExitReportDelay(),
                task -> task.environment(endpoint, options.taskEnvironment()), lock, random);
        this.actions = new EcsActions(state, new TaskActions(state, scheduler), stats);
        this.staleReads = new StaleReads(state, stats, random);
        this.taskDeaths = new TaskDeaths(state, scheduler, random, options.schedulerInterval());
        this.ticker = Executors.newSingleThreadScheduledExecutor(Threads.daemon("ecs-emulator-scheduler"));
        long interval = options.schedulerInterval().toMillis();
        ticker.scheduleWithFixedDelay(this::tick, 0, interval, TimeUnit.MILLISECONDS);
        http.start();
    }

    /** Starts the emulator on {@code 127.0.0.1:port} (0 picks a free port). */
    public static EcsEmulator start(int port, Options options) {
        try {
            return new EcsEmulator(port, options);
        } catch (IOException e) {
            throw new IllegalStateException("ECS emulator cannot listen on 127.0.0.1:" + port + ": " + e.getMessage(), e);
        }
    }

    /** The endpoint to give an ECS client as its endpoint override. */
    public String endpoint() {
        return http.endpoint();
    }

    public EmulatorStats stats() {
        return stats;
    }

    public FaultInjector faults() {
        return faults;
    }

    /** Adds a listener told of every API call from now on; listeners must be quick and must not throw. */
    public void addCallListener(CallListener listener) {
        listeners.add(listener);
    }

    public void removeCallListener(CallListener listener) {
        listeners.remove(listener);
    }

    /**
     * For tests: stale reads stamp changes and answers with {@code clock} from now on instead of the wall clock, so
     * that a test can say how long after a change a read comes. Set it before the stale-read window opens.
     */
    void staleReadsClock(Clock clock) {
        synchronized (lock) {
            staleReadsClock = clock;
        }
    }

    /**
     * For tests: the throttles refill by {@code nanoClock} from now on instead of {@link System#nanoTime}, so that a
     * test can say how much time passes between calls. It must go on from {@code System.nanoTime()}: a bucket that
     * sees time go back loses tokens.
     */
    void throttleClock(LongSupplier nanoClock) {
        throttleClock = nanoClock;
    }

    /** From now on, records each API call as IAM would authorize it (who signed it, action, resource, conditions). */
    public void recordCallsTo(AwsCallLog log) {
        http.recordCallsTo(log);
    }

    /**
     * Runs one ECS API call: throttling, then before-apply faults (nothing changed), then the action under the
     * lock, then after-apply faults (the change stands whatever the caller is told). An action that fails by
     * itself answers its own error: after-apply faults only ever hide a success.
     *
     * @throws EcsApiException the error ECS would answer, injected or not
     * @throws DroppedConnection when the caller must get no answer at all
     */
    ObjectNode call(String action, JsonNode request) throws InterruptedException {
        long received = System.nanoTime();
        stats.apiCall(action);
        for (CallListener listener : listeners) {
            listener.received(action, request, received);
        }
        try {
            return run(action, request);
        } finally {
            for (CallListener listener : listeners) {
                listener.answered(action);
            }
        }
    }

    private ObjectNode run(String action, JsonNode request) throws InterruptedException {
        if (!actions.supports(action)) {
            throw new EcsApiException("UnknownOperationException", 400, "Unsupported action " + action);
        }
        TokenBucket bucket = throttles.get(action);
        if (bucket != null && !bucket.tryAcquire()) {
            stats.throttled.incrementAndGet();
            throw EcsApiException.throttling();
        }
        try {
            faults.beforeApply(action);
        } catch (EcsApiException e) {
            stats.faultsBeforeApply.incrementAndGet();
            throw e;
        }
        ObjectNode response = applied(action, request);
        switch (faults.afterApply(action)) {
            case ERROR -> {
                stats.faultsAfterApply.incrementAndGet();
                throw EcsApiException.server("injected fault after " + action + " was applied");
            }
            case DROP -> {
                stats.connectionsDropped.incrementAndGet();
                throw new DroppedConnection(action);
            }
            default -> {
                return response;
            }
        }
    }

    /** The action's answer; with stale reads on, describes may answer an older world, and changes are recorded. */
    private ObjectNode applied(String action, JsonNode request) {
        Duration window = faults.staleReads();
        synchronized (lock) {
            if (StaleReads.serves(action)) {
                return staleReads.answer(action, actions.handle(action, request), window, staleReadsClock.instant());
            }
            if (isRead(action)) {
                return actions.handle(action, request);
            }
            return change(action, request, window);
        }
    }

    /** A changing action, recorded for stale reads. Caller holds the lock. */
    private ObjectNode change(String action, JsonNode request, Duration window) {
        staleReads.beforeChange(window, staleReadsClock.instant());
        try {
            return actions.handle(action, request);
        } finally {
            // A failing action may still have changed something before it failed.
            staleReads.record(window, staleReadsClock.instant());
        }
    }

    /**
     * Creates a service as {@code CreateService} does (same validation, same stale-read bookkeeping), but not through
     * the API: no throttling, no faults, no call counted. For set-up only — services that exist before what is
     * measured, as an account's do — so that a benchmark of a thousand services does not wait minutes for ECS's
     * 5-per-second CreateService budget.
     */
    public void createServiceForSetUp(String cluster, String service, String taskDefinition, int desiredCount) {
        ObjectNode request = EcsJson.object().put("cluster", cluster).put("serviceName", service)
                .put("taskDefinition", taskDefinition).put("desiredCount", desiredCount);
        Duration window = faults.staleReads();
        synchronized (lock) {
            change("CreateService", request, window);
        }
    }

    private static boolean isRead(String action) {
        return action.startsWith("Describe") || action.startsWith("List") || action.startsWith("Get");
    }

    /** The task metadata v4 document of a task, by its id. */
    Optional<ObjectNode> taskMetadata(String taskId) {
        synchronized (lock) {
            return findTask(taskId).map(TaskMetadata::task);
        }
    }

    /** The container metadata v4 document of a task's (first) container, by the task's id. */
    Optional<ObjectNode> containerMetadata(String taskId) {
        synchronized (lock) {
            return findTask(taskId).map(TaskMetadata::container);
        }
    }

    /**
     * A job event posted by an OS-process worker ({@code received}, {@code deleted}, {@code failed},
     * {@code returned}, or the old {@code started}, {@code completed}); false when the task is unknown.
     *
     * @throws EcsApiException for an unknown event
     */
    boolean jobEvent(String taskId, String event) {
        synchronized (lock) {
            Optional<Task> task = findTask(taskId);
            task.ifPresent(t -> scheduler.jobEvent(t, event));
            return task.isPresent();
        }
    }

    /** Kills a task as an injected death would ({@link ServiceScheduler#die}); false when the task is unknown. */
    boolean injectDeath(String taskId) {
        synchronized (lock) {
            Optional<Task> task = findTask(taskId);
            task.ifPresent(t -> scheduler.die(t, Instant.now()));
            return task.isPresent();
        }
    }

    /**
     * Stops a task for a reason of ECS's own, as {@link ServiceScheduler#interrupt} does.
     *
     * @param taskArnOrId the task's ARN or id
     * @return {@code empty} when no such task is known; else whether it was stopped now (false: it was already
     *         told to stop, and keeps that stop's code and reason)
     */
    public Optional<Boolean> interrupt(String taskArnOrId, Interruption kind) {
        synchronized (lock) {
            return findTask(EcsState.lastSegment(taskArnOrId)).map(t -> scheduler.interrupt(t, kind, Instant.now()));
        }
    }

    private Optional<Task> findTask(String taskId) {
        return state.clusters.values().stream().map(c -> c.tasks.get(taskId)).filter(t -> t != null).findFirst();
    }

    private void tick() {
        try {
            synchronized (lock) {
                Instant now = Instant.now();
                // Deaths first, so that the same tick already places the replacements.
                taskDeaths.tick(faults.taskDeathsPerMinute(), now);
                scheduler.tick(now);
                staleReads.record(faults.staleReads(), staleReadsClock.instant());
            }
        } catch (RuntimeException e) {
            LOG.error("ECS emulator scheduler tick failed", e);
        }
    }

    @Override
    public void close() {
        ticker.shutdownNow();
        http.stop();
        synchronized (lock) {
            for (EcsState.Cluster cluster : state.clusters.values()) {
                for (Task task : cluster.tasks.values()) {
                    if (task.process != null && !task.lastStatus.equals("STOPPED")) {
                        task.process.kill();
                    }
                }
            }
        }
    }
}
