package io.coscale.control;

import io.coscale.aws.EcsGateway;
import io.coscale.aws.ServiceState;
import io.coscale.aws.TaskState;
import io.coscale.concurrent.Batcher;
import io.coscale.concurrent.Futures;
import io.coscale.config.EcsConfig.TakeoverBy;
import io.coscale.control.budget.TaskReadBudget;
import io.coscale.domain.Arns;
import io.coscale.domain.Pool;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * The reads of the protection take-over ({@link ProtectionTakeover}), by cluster: which tasks of the pools due in a
 * cluster ECS protects, and until when. One sweep reads the whole cluster for all of them: ListTasks of its tasks
 * (100 a page), DescribeTasks of each page (100 a call: each task's group, {@code service:<name>}), then
 * GetTaskProtection of the due pools' tasks (10 a call). That is two task reads per 100 of the cluster's tasks instead
 * of a ListTasks per pool: at 1,000 pools of 10 tasks in 10 clusters, 200 instead of 1,000. When only a few pools of a
 * cluster are due (one added or changed through the API), a ListTasks of each of their services costs less: the choice
 * ({@link #byCluster}) is made for each sweep from the counts the reconcile passes saw (running + pending per service),
 * or forced by {@code coscale.ecs.task-reads.takeover-by}. Every ListTasks and DescribeTasks waits for its turn of the
 * task-read budget (claims first, {@link TaskReadBudget}), every GetTaskProtection for its turn of the protection-read
 * budget; each is retried briefly, and a sweep that still fails fails every pool it was for (due again).
 *
 * <p>Invariant: each answer comes from reads that all began after its pool asked. A cluster has at most one sweep in
 * flight; a pool that asks while one runs waits for the next, which begins when it ends. When a sweep begins, it asks
 * every other pool of the cluster whose take-over is due to join it ({@link ProtectionTakeover#startIfDue}), so that
 * pools due at the same time share one sweep, and then takes no one else. A pool restarted meanwhile (a lease
 * takeover) drops the answer of a sweep it asked before: that is {@link ProtectionTakeover}'s round.
 */
final class ClusterSweeps {

    /** How long a cluster's stop-check DescribeTasks waits for more pools' checks to join it. */
    private static final Duration STOP_READS_LINGER = Duration.ofMillis(250);

    private final EcsGateway ecs;
    private final TaskReadBudget reads;
    private final ControlThreads threads;
    /** The stop checks' DescribeTasks, merged per cluster: 100 tasks of any of its pools a call. */
    private final Batcher<String, String, TaskState> stopReads;
    // @GuardedBy("this") by cluster name
    private final Map<String, Cluster> clusters = new HashMap<>();

    ClusterSweeps(EcsGateway ecs, TaskReadBudget reads, ControlThreads threads) {
        this.ecs = ecs;
        this.reads = reads;
        this.threads = threads;
        // Each call of a cluster is put together STOP_READS_LINGER after the first check that wants it, so that the
        // checks of a pass's pools, whose steps end one after another, share calls.
        this.stopReads = Batcher.async(EcsGateway.DESCRIBE_TASKS_BATCH,
                drain -> threads.timer().schedule(() -> threads.steps().execute(drain), STOP_READS_LINGER.toMillis(),
                        TimeUnit.MILLISECONDS),
                (cluster, arns) -> taskRead(gateway -> gateway.describeTasks(cluster, arns)), (a, b) -> true);
    }

    /** A pool waiting for its service's protected tasks. */
    private record Asked(String service, CompletableFuture<Map<String, Instant>> answer) {
    }

    /** What is known of one cluster, and who waits for its next sweep. Guarded by the enclosing object. */
    private static final class Cluster {
        final String cluster;
        final Set<ProtectionTakeover> takeovers = Collections.newSetFromMap(new IdentityHashMap<>());
        /** Each service's tasks (running + pending) as the last reconcile saw them. */
        final Map<String, Integer> tasksOf = new HashMap<>();
        /** The tasks the last sweep of the whole cluster listed: what the cluster runs besides the pools' services. */
        int listed;
        List<Asked> waiting = new ArrayList<>();
        boolean sweeping;

        Cluster(String cluster) {
            this.cluster = cluster;
        }
    }

    private Cluster cluster(String cluster) {
        return clusters.computeIfAbsent(Arns.lastSegment(cluster), c -> new Cluster(cluster));
    }

    /** A protect-mode pool's take-over, asked to join when a sweep of its cluster begins. */
    synchronized void register(String cluster, ProtectionTakeover takeover) {
        cluster(cluster).takeovers.add(takeover);
    }

    /** The pool is no longer managed. */
    synchronized void forget(String cluster, ProtectionTakeover takeover) {
        cluster(cluster).takeovers.remove(takeover);
    }

    /** A reconcile saw the service: its tasks count toward what a sweep of its cluster would read. */
    synchronized void seen(String cluster, ServiceState service) {
        cluster(cluster).tasksOf.put(Arns.lastSegment(service.service()), service.runningCount() + service.pendingCount());
    }

    /**
     * The protected tasks of the pool's service and their expiry, read by the next sweep of its cluster. Never blocks.
     */
    CompletableFuture<Map<String, Instant>> protectionOf(Pool pool) {
        CompletableFuture<Map<String, Instant>> answer = new CompletableFuture<>();
        Cluster cluster;
        synchronized (this) {
            cluster = cluster(pool.cluster());
            cluster.waiting.add(new Asked(Arns.lastSegment(pool.service()), answer));
            if (cluster.sweeping) {
                return answer;
            }
            cluster.sweeping = true;
        }
        begin(cluster);
        return answer;
    }

    /** Begins a sweep: every due pool of the cluster joins, then its reads are made. */
    private void begin(Cluster cluster) {
        List<ProtectionTakeover> others;
        synchronized (this) {
            others = List.copyOf(cluster.takeovers);
        }
        others.forEach(ProtectionTakeover::startIfDue);
        List<Asked> batch;
        boolean whole;
        synchronized (this) {
            batch = cluster.waiting;
            cluster.waiting = new ArrayList<>();
            Set<String> services = new HashSet<>();
            batch.forEach(a -> services.add(a.service()));
            int known = cluster.tasksOf.values().stream().mapToInt(Integer::intValue).sum();
            whole = byCluster(reads.takeoverBy(), Math.max(known, cluster.listed),
                    services.stream().map(s -> cluster.tasksOf.getOrDefault(s, 0)).toList());
        }
        CompletableFuture<Void> done = whole ? sweepCluster(cluster, batch) : CompletableFuture.allOf(batch.stream()
                .map(a -> answer(List.of(a), readService(cluster.cluster, a.service()))).toArray(CompletableFuture[]::new));
        done.whenComplete((ok, e) -> {
            synchronized (this) {
                if (cluster.waiting.isEmpty()) {
                    cluster.sweeping = false;
                    return;
                }
            }
            begin(cluster);
        });
    }

    /**
     * Whether one sweep of the whole cluster costs fewer task reads (ListTasks and DescribeTasks, one bucket) than a
     * ListTasks of each due service: pure. GetTaskProtection costs the same either way (the due services' tasks).
     *
     * @param clusterTasks the tasks the cluster runs, as far as known
     * @param dueServiceTasks the tasks of each due service
     */
    static boolean byCluster(TakeoverBy by, int clusterTasks, Collection<Integer> dueServiceTasks) {
        return switch (by) {
            case CLUSTER -> true;
            case SERVICE -> false;
            case AUTO -> EcsGateway.listTasksCalls(clusterTasks) + EcsGateway.describeTasksCalls(clusterTasks)
                    < dueServiceTasks.stream().mapToInt(EcsGateway::listTasksCalls).sum();
        };
    }

    /** Hands each pool asked its service's part of {@code found} (by service, then task), or the failure. */
    private static CompletableFuture<Void> answer(List<Asked> batch, CompletableFuture<Map<String, Map<String, Instant>>> found) {
        return found.handle((byService, e) -> {
            for (Asked a : batch) {
                if (e != null) {
                    a.answer().completeExceptionally(Futures.cause(e));
                } else {
                    a.answer().complete(byService.getOrDefault(a.service(), Map.of()));
                }
            }
            return null;
        });
    }

    /** One service's tasks, a ListTasks page at a time, then their protection. */
    private CompletableFuture<Map<String, Map<String, Instant>>> readService(String cluster, String service) {
        return listFrom(cluster, service, null, new ArrayList<>())
                .thenCompose(arns -> protection(cluster, Map.of(service, arns)));
    }

    private CompletableFuture<List<String>> listFrom(String cluster, String service, String token, List<String> arns) {
        return taskRead(gateway -> gateway.listTasks(cluster, service, token)).thenCompose(page -> {
            arns.addAll(page.taskArns());
            return page.nextToken() == null ? CompletableFuture.completedFuture(arns)
                    : listFrom(cluster, service, page.nextToken(), arns);
        });
    }

    /** The whole cluster: each page of ListTasks, then its DescribeTasks; the tasks of the services asked kept. */
    private CompletableFuture<Void> sweepCluster(Cluster cluster, List<Asked> batch) {
        Set<String> services = new HashSet<>();
        batch.forEach(a -> services.add(a.service()));
        Map<String, List<String>> tasksOf = new HashMap<>();
        int[] listed = new int[1];
        CompletableFuture<Map<String, Map<String, Instant>>> found = sweepFrom(cluster.cluster, null, services, tasksOf,
                listed).thenCompose(swept -> {
                    synchronized (this) {
                        cluster.listed = listed[0];
                    }
                    return protection(cluster.cluster, tasksOf);
                });
        return answer(batch, found);
    }

    private CompletableFuture<Void> sweepFrom(String cluster, String token, Set<String> services,
            Map<String, List<String>> tasksOf, int[] listed) {
        return taskRead(gateway -> gateway.listTasks(cluster, null, token)).thenCompose(page -> {
            listed[0] += page.taskArns().size();
            CompletableFuture<Void> described = page.taskArns().isEmpty() ? CompletableFuture.completedFuture(null)
                    : taskRead(gateway -> gateway.describeTasks(cluster, page.taskArns())).thenAccept(tasks -> {
                        // A task ECS listed but does not describe yet has just started: the coscale before never
                        // protected it, since a claim protects only a task DescribeTasks found.
                        for (TaskState task : tasks.values()) {
                            task.serviceName().filter(services::contains).ifPresent(service ->
                                    tasksOf.computeIfAbsent(service, s -> new ArrayList<>()).add(task.taskArn()));
                        }
                    });
            return page.nextToken() == null ? described
                    : described.thenCompose(d -> sweepFrom(cluster, page.nextToken(), services, tasksOf, listed));
        });
    }

    /** The protection of the given tasks (by service), each GetTaskProtection of 10 in its turn: the protected ones. */
    private CompletableFuture<Map<String, Map<String, Instant>>> protection(String cluster, Map<String, List<String>> tasksOf) {
        Map<String, String> serviceOf = new HashMap<>();
        tasksOf.forEach((service, arns) -> arns.forEach(arn -> serviceOf.put(arn, service)));
        List<String> arns = List.copyOf(serviceOf.keySet());
        List<CompletableFuture<Map<String, Instant>>> calls = new ArrayList<>();
        for (int i = 0; i < arns.size(); i += EcsGateway.PROTECTION_BATCH) {
            List<String> batch = arns.subList(i, Math.min(arns.size(), i + EcsGateway.PROTECTION_BATCH));
            calls.add(ControlContext.READ_RETRIES.runAsync(() -> reads.protectionReadTurn().thenCompose(turn ->
                    Futures.on(threads.ecsCalls(), () -> ecs.protectedUntil(cluster, batch))), threads.timer(),
                    threads.jitter()));
        }
        return CompletableFuture.allOf(calls.toArray(CompletableFuture[]::new)).thenApply(all -> {
            Map<String, Map<String, Instant>> found = new HashMap<>();
            calls.forEach(call -> call.join().forEach((arn, until) ->
                    found.computeIfAbsent(serviceOf.get(arn), s -> new HashMap<>()).put(arn, until)));
            return found;
        });
    }

    /**
     * The tasks ECS knows of those asked, for a pool's stop check ({@link TaskStops}): what a reconcile pass asks of a
     * cluster's pools is merged into DescribeTasks of 100 tasks each, whatever their service, and each call waits for
     * its turn of the task-read budget as the take-over's reads do (no worker waits for a stop check). At 1,000 pools
     * of 10 known tasks in 10 clusters a pass that checks them all makes 100 calls, not 1,000. A task ECS does not
     * describe is left out. Never blocks.
     */
    CompletableFuture<Map<String, TaskState>> tasks(String cluster, Collection<String> arns) {
        List<CompletableFuture<TaskState>> each = arns.stream().map(arn -> stopReads.submit(cluster, arn)
                .exceptionallyCompose(e -> Futures.cause(e) instanceof Batcher.NoAnswerException
                        ? CompletableFuture.completedFuture(null) : CompletableFuture.failedFuture(Futures.cause(e))))
                .toList();
        return CompletableFuture.allOf(each.toArray(CompletableFuture[]::new)).thenApply(all -> {
            Map<String, TaskState> known = new HashMap<>();
            each.stream().map(CompletableFuture::join).filter(Objects::nonNull).forEach(t -> known.put(t.taskArn(), t));
            return known;
        });
    }

    /** A ListTasks or DescribeTasks of the take-over or of a stop check: each attempt in its turn of the task-read budget, after claims'. */
    private <T> CompletableFuture<T> taskRead(Function<EcsGateway, T> call) {
        return ControlContext.READ_RETRIES.runAsync(() -> reads.takeoverTurn().thenCompose(turn ->
                Futures.on(threads.ecsCalls(), () -> call.apply(ecs))), threads.timer(), threads.jitter());
    }
}
