package io.coscale.local.ecs;

import io.coscale.local.ecs.EcsState.Cluster;
import io.coscale.local.ecs.EcsState.Service;
import io.coscale.local.ecs.EcsState.Task;
import io.coscale.local.task.TaskLaunch;
import io.coscale.local.task.TaskRunner;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;

/**
 * The emulated ECS service scheduler. Each {@link #tick} moves the world one step toward every service's
 * {@code desiredCount}, the way ECS does:
 * <ul>
 * <li>too few active tasks: new tasks of the PRIMARY deployment are placed PENDING, spread across zones;</li>
 * <li>tasks of an older deployment are replaced within the service's {@link DeploymentConfiguration}, protected
 *     ones only once their protection ends; the service's deployments are settled ({@link Rollout} has the rules);</li>
 * <li>a PENDING task starts (RUNNING) once its start delay has passed and its cluster has room
 *     ({@code capacity} tasks RUNNING or still stopping);</li>
 * <li>too many: victims among <em>unprotected</em> tasks get the stop signal, and are killed after the
 *     task definition's {@code stopTimeout}; protected tasks are left until their protection lapses;</li>
 * <li>a task whose workload exits becomes STOPPED once ECS has heard of it ({@code exitReportDelay}: the
 *     agent reports container exits late, so ECS may meanwhile pick a scale-in victim among tasks it still
 *     thinks RUNNING, this one included); if the service still wants it, a new one replaces it.</li>
 * </ul>
 * Every method runs under the emulator's lock.
 */
final class ServiceScheduler {

    private static final int STOPPED_TASKS_KEPT = 500;
    private static final Duration STOPPED_TASKS_SHOWN = Duration.ofHours(1);

    private final EcsState state;
    private final EmulatorStats stats;
    private final TaskRunner runner;
    private final int capacity;
    private final Duration startDelay;
    private final Duration exitReportDelay;
    private final Function<Task, Map<String, String>> environment;
    private final Object lock;
    private final Random random;

    ServiceScheduler(EcsState state, EmulatorStats stats, TaskRunner runner, int capacity, Duration startDelay,
            Duration exitReportDelay, Function<Task, Map<String, String>> environment, Object lock, Random random) {
        this.state = state;
        this.stats = stats;
        this.runner = runner;
        this.capacity = capacity;
        this.startDelay = startDelay;
        this.exitReportDelay = exitReportDelay;
        this.environment = environment;
        this.lock = lock;
        this.random = random;
    }

    void tick(Instant now) {
        for (Cluster cluster : state.clusters.values()) {
            for (Task task : List.copyOf(cluster.tasks.values())) {
                if (task.protectedUntil != null && !task.isProtected(now)) {
                    task.protectedUntil = null;
                }
                if (task.exitedAt != null && !task.lastStatus.equals("STOPPED")
                        && !now.isBefore(task.exitedAt.plus(exitReportDelay))) {
                    essentialContainerExited(task, now);
                }
                if (task.lastStatus.equals("STOPPING") && task.killAt != null && !now.isBefore(task.killAt)) {
                    task.killAt = null;
                    task.process.kill();
                }
            }
            Set<Service> withActiveTasks = new HashSet<>();
            for (Task task : cluster.tasks.values()) {
                if (task.service != null && task.desiredStatus.equals("RUNNING")) {
                    withActiveTasks.add(task.service);
                }
            }
            for (Service service : cluster.services.values()) {
                if (withActiveTasks.contains(service) || !settledAtZero(service)) {
                    converge(service, now);
                }
            }
            startPending(cluster, now);
            forgetOldStoppedTasks(cluster, now);
        }
    }

    /**
     * Whether a service without active tasks is one a tick leaves as it is: desiredCount 0 and its only deployment
     * COMPLETED. {@link Rollout} plans nothing for it (and draws no random number) and nothing is left to settle, so
     * skipping it changes nothing; it spares the tick a scan of the cluster's tasks for each of the many idle services
     * a large account has.
     */
    static boolean settledAtZero(Service service) {
        return service.desiredCount == 0 && service.deployments.size() == 1
                && service.primary().rolloutState.equals(Deployment.COMPLETED);
    }

    /** One step of {@link Rollout} for the service, then its deployments' bookkeeping. */
    private void converge(Service service, Instant now) {
        Deployment primary = service.primary();
        List<Task> active = service.activeTasks();
        List<Rollout.Member> members = active.stream()
                .map(t -> new Rollout.Member(t.id, t.availabilityZone, t.deployment == primary,
                        t.lastStatus.equals("RUNNING"), t.isProtected(now)))
                .toList();
        Rollout.Plan plan = Rollout.plan(service.desiredCount, service.deploymentConfiguration, members, random);
        for (String id : plan.scaleIn()) {
            stop(service.cluster.tasks.get(id), "Scaling activity initiated by (deployment " + primary.id + ")",
                    "ServiceSchedulerInitiated", StopCause.SCALE_IN, now);
        }
        for (String id : plan.replaced()) {
            stop(service.cluster.tasks.get(id), "Task replaced by deployment " + primary.id,
                    "ServiceSchedulerInitiated", StopCause.DEPLOYMENT, now);
        }
        List<String> zones = new ArrayList<>(service.activeTasks().stream().map(t -> t.availabilityZone).toList());
        for (int i = 0; i < plan.toStart(); i++) {
            String zone = Placement.zoneForNewTask(zones);
            zones.add(zone);
            String id = UUID.randomUUID().toString().replace("-", "");
            service.cluster.tasks.put(id, new Task(id, service.cluster, service, primary, zone, now));
            stats.tasksPlaced.incrementAndGet();
        }
        service.settleDeployments(now).filter(d -> d.rollout)
                .ifPresent(d -> stats.deploymentsCompleted.incrementAndGet());
    }

    private void startPending(Cluster cluster, Instant now) {
        long occupied = cluster.countTasks("RUNNING") + cluster.countTasks("STOPPING");
        if (occupied >= capacity) {
            // A full cluster starts nothing: its PENDING tasks (thousands, when a service wants more than it holds)
            // are not sorted on every tick for it.
            return;
        }
        List<Task> ready = cluster.tasks.values().stream()
                .filter(t -> t.lastStatus.equals("PENDING") && t.desiredStatus.equals("RUNNING"))
                .filter(t -> !now.isBefore(t.createdAt.plus(startDelay)))
                .sorted(Comparator.comparing((Task t) -> t.createdAt))
                .toList();
        for (Task task : ready) {
            if (occupied >= capacity) {
                return;
            }
            occupied++;
            task.lastStatus = "RUNNING";
            task.startedAt = now;
            stats.tasksStarted.incrementAndGet();
            task.process = runner.start(new TaskLaunch(task.arn, environment.apply(task), new TaskJobs(task, stats, lock)),
                    code -> exited(task, code));
        }
    }

    /**
     * Sends the stop signal; a task that never ran (or whose workload already exited) stops at once. Whether
     * the task was stopped busy is decided here, at the signal (see {@link StopAccounting}).
     */
    void stop(Task task, String reason, String stopCode, StopCause cause, Instant now) {
        task.desiredStatus = "STOPPED";
        task.stopCause = cause;
        task.stoppedReason = reason;
        task.stopCode = stopCode;
        task.stoppingAt = now;
        StopAccounting.stopSignal(task);
        if (task.process == null || task.exitedAt != null) {
            markStopped(task, task.exitedWith, now);
            return;
        }
        task.lastStatus = "STOPPING";
        task.killAt = now.plusSeconds(task.taskDefinition.stopTimeoutSeconds());
        task.process.signalStop();
    }

    /**
     * An injected death (a crash, a lost instance): the workload is killed at once (exit 137) and the task is
     * STOPPED now, cause {@link StopCause#DEATH}, busy if it held a message. A task already told to stop keeps
     * the cause and reason of that stop (it is only killed sooner); a PENDING task just stops. Caller holds the lock.
     */
    void die(Task task, Instant now) {
        die(task, "Essential container in task exited (injected death)", "EssentialContainerExited", null, now);
    }

    /**
     * Stops a task for a reason of ECS's own ({@link Interruption}), cause {@link StopCause#DEATH}: Spot
     * interruption and host retirement send the stop signal and kill after {@code stopTimeout}, as a scale-in does;
     * an out-of-memory kill is immediate. Either way the service replaces the task at once. A task already told to
     * stop (or STOPPED) is left as it is: ECS keeps the first stop's code and reason. Caller holds the lock.
     *
     * @return whether the task was stopped now
     */
    boolean interrupt(Task task, Interruption kind, Instant now) {
        if (!task.desiredStatus.equals("RUNNING") || task.lastStatus.equals("STOPPED")) {
            return false;
        }
        if (kind.graceful()) {
            stop(task, kind.stoppedReason(), kind.stopCode(), StopCause.DEATH, now);
        } else {
            die(task, kind.stoppedReason(), kind.stopCode(), kind.containerReason(), now);
        }
        return true;
    }

    private void die(Task task, String reason, String stopCode, String containerReason, Instant now) {
        if (task.lastStatus.equals("STOPPED")) {
            return;
        }
        if (task.desiredStatus.equals("RUNNING")) {
            task.desiredStatus = "STOPPED";
            task.stopCause = StopCause.DEATH;
            task.stoppedReason = reason;
            task.stopCode = stopCode;
            task.containerReason = containerReason;
            task.stoppingAt = now;
            StopAccounting.stopSignal(task);
        }
        Integer exitCode = task.process == null ? null : task.exitedAt != null ? task.exitedWith : Integer.valueOf(137);
        // STOPPED before the kill, so that the runner's exit report (synchronous for a thread) finds it done.
        markStopped(task, exitCode, now);
        if (task.process != null) {
            task.process.kill();
        }
    }

    private void exited(Task task, int exitCode) {
        synchronized (lock) {
            if (task.lastStatus.equals("STOPPED")) {
                return;
            }
            Instant now = Instant.now();
            if (task.desiredStatus.equals("RUNNING")) {
                task.exitedWith = exitCode;
                task.exitedAt = now;
                // Counted here, before ECS hears of it: a scale-in may still pick this task as its victim.
                (exitCode == 0 ? stats.workerExitsClean : stats.workerExitsFailed).incrementAndGet();
                if (exitReportDelay.isZero()) {
                    essentialContainerExited(task, now);
                }
                return;
            }
            markStopped(task, exitCode, now);
        }
    }

    private void essentialContainerExited(Task task, Instant now) {
        task.desiredStatus = "STOPPED";
        task.stoppedReason = "Essential container in task exited";
        task.stopCode = "EssentialContainerExited";
        task.stopCause = StopCause.EXITED;
        task.stoppingAt = now;
        markStopped(task, task.exitedWith, now);
    }

    private void markStopped(Task task, Integer exitCode, Instant now) {
        task.lastStatus = "STOPPED";
        task.stoppedAt = now;
        task.exitCode = exitCode;
        task.killAt = null;
        task.protectedUntil = null;
        StopAccounting.stopped(task, stats);
    }

    /** A job event posted by an OS-process worker to its metadata endpoint (see {@link TaskJobs#event}). */
    void jobEvent(Task task, String event) {
        new TaskJobs(task, stats, lock).event(event);
    }

    /**
     * ECS shows stopped tasks for about an hour ({@link #STOPPED_TASKS_SHOWN}), then forgets them; here also at
     * most {@link #STOPPED_TASKS_KEPT} per cluster, the oldest forgotten first.
     */
    private static void forgetOldStoppedTasks(Cluster cluster, Instant now) {
        Instant shownSince = now.minus(STOPPED_TASKS_SHOWN);
        cluster.tasks.values().removeIf(t -> t.lastStatus.equals("STOPPED") && t.stoppedAt.isBefore(shownSince));
        List<Task> stopped = cluster.tasks.values().stream().filter(t -> t.lastStatus.equals("STOPPED")).toList();
        stopped.stream().sorted(Comparator.comparing((Task t) -> t.stoppedAt))
                .limit(Math.max(0, stopped.size() - STOPPED_TASKS_KEPT))
                .forEach(t -> cluster.tasks.remove(t.id));
    }
}
