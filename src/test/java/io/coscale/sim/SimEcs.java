package io.coscale.sim;

import io.coscale.aws.ServiceState;
import io.coscale.aws.TaskState;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * ECS as the simulation sees it, for one service: its desiredCount, its tasks with their scale-in protection (an
 * expiry) and tags, and the service scheduler's tick, which starts tasks up to the count and, above it, stops tasks
 * chosen at random (by the seed) among those not protected — a protected task is never a scale-in's victim, and the
 * scale-in waits for one. Reads may be served from an older world for a while after a change ({@link #staleFor}), as
 * ECS's eventually consistent reads are. Time is the scheduler's; one thread, no locks.
 */
final class SimEcs {

    static final String CLUSTER = "sim";
    static final String SERVICE = "workers";
    static final String TASK_DEFINITION = "arn:aws:ecs:us-east-1:123456789012:task-definition/work:1";

    /** One task. */
    static final class Task {
        final String arn;
        String lastStatus = "RUNNING";
        String desiredStatus = "RUNNING";
        Instant protectedUntil;
        String exitTag;
        String stopCode;

        Task(String arn) {
            this.arn = arn;
        }

        Task copy() {
            Task t = new Task(arn);
            t.lastStatus = lastStatus;
            t.desiredStatus = desiredStatus;
            t.protectedUntil = protectedUntil;
            t.exitTag = exitTag;
            t.stopCode = stopCode;
            return t;
        }

        boolean live() {
            return "RUNNING".equals(desiredStatus);
        }

        boolean protectedAt(Instant now) {
            return protectedUntil != null && protectedUntil.isAfter(now);
        }
    }

    /** What ECS holds: the count and the tasks. */
    record World(int desired, Map<String, Task> tasks) {
        World copy() {
            Map<String, Task> tasks = new LinkedHashMap<>();
            this.tasks.forEach((arn, t) -> tasks.put(arn, t.copy()));
            return new World(desired, tasks);
        }
    }

    private final SimScheduler scheduler;
    private int desired;
    private final Map<String, Task> tasks = new LinkedHashMap<>();
    private int started;
    private World stale;
    private long staleUntil = Long.MIN_VALUE;
    /** Told of a task ECS started (its worker begins) and of one ECS stopped (its worker gets SIGTERM). */
    private final Consumer<Task> onStart;
    private final Consumer<Task> onStop;

    SimEcs(SimScheduler scheduler, int desired, Consumer<Task> onStart, Consumer<Task> onStop) {
        this.scheduler = scheduler;
        this.desired = desired;
        this.onStart = onStart;
        this.onStop = onStop;
    }

    int desired() {
        return desired;
    }

    Task task(String arn) {
        return tasks.get(arn);
    }

    java.util.Collection<Task> allTasks() {
        return tasks.values();
    }

    List<Task> liveTasks() {
        return tasks.values().stream().filter(Task::live).toList();
    }

    /** The world as reads see it now: the older one while a stale window is open. */
    private World read() {
        return scheduler.nanos() < staleUntil ? stale : new World(desired, tasks);
    }

    /** Reads answer {@code before} until {@code nanos} from now (ECS's read replicas lag behind a change). */
    void staleFor(World before, long nanos) {
        stale = before;
        staleUntil = scheduler.nanos() + nanos;
    }

    World snapshot() {
        return new World(desired, tasks).copy();
    }

    /** The service scheduler: start up to the count, stop unprotected tasks above it. */
    void tick() {
        Instant now = scheduler.instant();
        List<Task> live = liveTasks();
        for (int i = live.size(); i < desired; i++) {
            Task task = new Task(String.format("arn:aws:ecs:us-east-1:123456789012:task/%s/%032x", CLUSTER, ++started));
            tasks.put(task.arn, task);
            onStart.accept(task);
        }
        if (live.size() > desired) {
            List<Task> victims = new ArrayList<>(live.stream().filter(t -> !t.protectedAt(now)).toList());
            for (int i = live.size(); i > desired && !victims.isEmpty(); i--) {
                Task victim = victims.remove(scheduler.random().nextInt(victims.size()));
                stop(victim, "ServiceSchedulerInitiated");
                onStop.accept(victim);
            }
        }
    }

    /** The task's essential container exited by itself (its worker exited). */
    void exited(String arn) {
        Task task = tasks.get(arn);
        if (task != null && task.live()) {
            stop(task, "EssentialContainerExited");
        }
    }

    private static void stop(Task task, String code) {
        task.desiredStatus = "STOPPED";
        task.lastStatus = "STOPPED";
        task.stopCode = code;
    }

    // ---- the API calls: each applies at once; the gateway decides what its caller is told ----

    List<ServiceState> describeServices() {
        World w = read();
        int running = (int) w.tasks.values().stream().filter(Task::live).count();
        return List.of(new ServiceState(CLUSTER, SERVICE, w.desired, running, 0, true, TASK_DEFINITION));
    }

    void updateService(int count) {
        desired = count;
    }

    /** False when the task is unknown (ECS answers an error). */
    boolean tag(String arn, String value) {
        Task task = tasks.get(arn);
        if (task == null) {
            return false;
        }
        task.exitTag = value;
        return true;
    }

    Map<String, TaskState> describeTasks(java.util.Collection<String> arns) {
        World w = read();
        Map<String, TaskState> found = new LinkedHashMap<>();
        for (String arn : arns) {
            Task t = w.tasks.get(arn);
            found.put(arn, t == null
                    ? new TaskState(arn, null, null, "MISSING", "STOPPED", null, null, null, null, null, null, true)
                    : new TaskState(arn, "arn:aws:ecs:us-east-1:123456789012:cluster/" + CLUSTER, "service:" + SERVICE,
                            t.lastStatus, t.desiredStatus, TASK_DEFINITION, t.exitTag, t.stopCode, null,
                            t.live() ? null : scheduler.instant(), null, false));
        }
        return found;
    }

    /** Applies a protection change to one task: null when applied, else ECS's refusal. */
    String protect(String arn, boolean enabled, int minutes) {
        Task task = tasks.get(arn);
        if (task == null) {
            return "MISSING";
        }
        if (!task.live()) {
            return "TASK_NOT_VALID";
        }
        task.protectedUntil = enabled ? scheduler.instant().plusSeconds(60L * minutes) : null;
        return null;
    }

    List<String> listTasks() {
        return read().tasks.values().stream().filter(Task::live).map(t -> t.arn).toList();
    }

    Map<String, Instant> protectedUntil(List<String> arns) {
        World w = read();
        Instant now = scheduler.instant();
        Map<String, Instant> result = new LinkedHashMap<>();
        for (String arn : arns) {
            Task t = w.tasks.get(arn);
            if (t != null && t.protectedAt(now)) {
                result.put(arn, t.protectedUntil);
            }
        }
        return result;
    }
}
