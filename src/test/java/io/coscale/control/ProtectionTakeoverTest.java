package io.coscale.control;

import static io.coscale.local.ecs.EcsEmulatorFixture.eventually;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.coscale.aws.EcsGateway;
import io.coscale.aws.ServiceState;
import io.coscale.concurrent.TokenBucket;
import io.coscale.config.EcsConfig.TakeoverBy;
import io.coscale.control.budget.EcsBudget;
import io.coscale.control.budget.TaskReadBudget;
import io.coscale.domain.Mode;
import io.coscale.domain.Pool;
import io.coscale.domain.QueueDepth;
import io.coscale.local.ecs.EcsEmulatorFixture;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The protection take-over after a start-up, against the ECS emulator, with more pools (150) than ECS's burst of
 * task reads (100): every pool takes over, and ECS throttles none of the reads, because the take-over spends the
 * task-read budget as its turn comes. A claim made meanwhile is answered. And a take-over begun before this replica
 * took the lease over (again) leaves nothing behind it.
 */
class ProtectionTakeoverTest {

    private static final int POOLS = 150;
    /**
     * The last pools, whose service runs tasks, one of them protected by the coscale that was there before: their turns
     * come last, so that a claim of their tasks lands while the take-over runs.
     */
    private static final int WITH_TASKS = 5;
    private static final int FIRST_WITH_TASKS = POOLS - WITH_TASKS;

    private EcsEmulatorFixture ecs;
    private ControlContext ctx;
    private SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final List<PoolController> pools = new ArrayList<>();

    @BeforeEach
    void setUp() {
        ecs = EcsEmulatorFixture.start(2 * WITH_TASKS, EcsEmulatorFixture.idleRunner());
        ecs.setUpCluster(1, Map.of());
        ctx = TestContexts.standard(new EcsGateway(ecs.ecs), null, new ControlMetrics(registry));
    }

    /** {@link #POOLS} pools, each with a service of its own: the last {@link #WITH_TASKS} run two tasks. */
    private void createPools() {
        Map<String, Integer> services = new LinkedHashMap<>();
        for (int i = 0; i < POOLS; i++) {
            services.put(String.format("s%03d", i), i >= FIRST_WITH_TASKS ? 2 : 0);
        }
        ecs.createServicesPastThrottling(services);
        for (String service : services.keySet()) {
            PoolController pool = pool(service);
            ctx.metrics().register(pool);
            pools.add(pool);
        }
    }

    private PoolController pool(String service) {
        return new PoolController(new Pool(service, EcsEmulatorFixture.CLUSTER, service,
                "http://127.0.0.1:1/000000000000/" + service, 0, 5, Mode.PROTECT, 1, 120, Duration.ofSeconds(60)), ctx);
    }

    @AfterEach
    void tearDown() {
        ctx.threads().shutdown();
        ecs.close();
    }

    @Test
    void everyPoolTakesOverWithinEcsReadLimitAndAClaimMeanwhileIsAnswered() throws Exception {
        ctx.threads().shutdown();
        registry = new SimpleMeterRegistry();
        ctx = TestContexts.standard(new EcsGateway(ecs.ecs), null, new ControlMetrics(registry), TakeoverBy.SERVICE);
        everyPoolTakesOver("one ListTasks per pool, none retried", POOLS);
    }

    /** As above, the pools' take-over read by one sweep of their cluster (its 10 tasks: one page), as it costs less. */
    @Test
    void everyPoolTakesOverByOneSweepOfTheClusterAndAClaimMeanwhileIsAnswered() throws Exception {
        long describeTasks = everyPoolTakesOver("one ListTasks of the whole cluster, none retried", 1);
        // A pool whose reconcile step comes after the sweep adopted its tasks checks them for stops once (TaskStops: its
        // first check after a take-over), one DescribeTasks each: how many depends on how fast the sweep was.
        assertThat(describeTasks).as("the sweep's one DescribeTasks, the claim's, and a stop check per pool with tasks")
                .isLessThanOrEqualTo(2 + WITH_TASKS);
    }

    /** @return the DescribeTasks calls made from the first pass on */
    private long everyPoolTakesOver(String listTasksAre, int listTasks) throws Exception {
        createPools();
        List<String> protectedBefore = new ArrayList<>();
        List<String> unclaimed = new ArrayList<>();
        for (int i = FIRST_WITH_TASKS; i < POOLS; i++) {
            String service = pools.get(i).pool().service();
            ecs.awaitCounts(service, 2, 0);
            List<String> tasks = ecs.activeTasks(service).stream().map(t -> t.taskArn()).toList();
            protectedBefore.add(tasks.get(0));
            unclaimed.add(tasks.get(1));
        }
        // What the coscale before this one left in ECS: one protected task per pool with tasks.
        ecs.ecs.updateTaskProtection(b -> b.cluster(EcsEmulatorFixture.CLUSTER).tasks(protectedBefore)
                .protectionEnabled(true).expiresInMinutes(120));
        long listTasksBefore = calls("ListTasks");
        long describeTasksBefore = calls("DescribeTasks");
        long throttledBefore = ecs.emulator.stats().snapshot().throttled();
        assertThat(takeoversPending()).as("every pool, before the first pass").isEqualTo(POOLS);

        reconcileAll();
        TaskResolver resolver = new TaskResolver(ctx, () -> pools, Duration.ofSeconds(2), Duration.ofSeconds(2));
        WorkerTask claimed = resolver.resolve(unclaimed.get(0), Optional.empty()).get(10, TimeUnit.SECONDS);
        assertThat(claimed.pool().claim(unclaimed.get(0), null).get(10, TimeUnit.SECONDS).expiresAt()).isNotNull();

        eventually().atMost(Duration.ofSeconds(60)).until(() -> pools.stream().allMatch(PoolController::protectionTakenOver));
        assertThat(takeoversPending()).isZero();
        assertThat(calls("ListTasks") - listTasksBefore).as(listTasksAre).isEqualTo(listTasks);
        assertThat(ecs.emulator.stats().snapshot().throttled() - throttledBefore).as("calls ECS throttled").isZero();
        assertThat(claimed.pool().status().protectedTasks()).as("the claimed task and the one taken over").isEqualTo(2);
        for (PoolController pool : pools.subList(FIRST_WITH_TASKS + 1, POOLS)) {
            assertThat(pool.status().protectedTasks()).as(pool.pool().name()).isEqualTo(1);
            assertThat(pool.events().newest(10)).anyMatch(e -> e.reason().equals("took over the protection of 1 task from ECS"));
        }
        assertThat(pools).allSatisfy(p -> assertThat(p.status().lastError()).isNull());
        assertThat(pools.subList(0, FIRST_WITH_TASKS)).allSatisfy(p -> assertThat(p.status().protectedTasks()).isZero());
        return calls("DescribeTasks") - describeTasksBefore;
    }

    @Test
    void aTakeoverBegunBeforeALeaseTakeoverFillsInNothingAfterIt() throws Exception {
        AtomicLong nanos = new AtomicLong();
        TaskReadBudget budget = new TaskReadBudget(new TokenBucket(2, 1, nanos::get), 1, Duration.ofSeconds(10));
        ctx.threads().shutdown();
        ctx = ControlContext.create(new EcsGateway(ecs.ecs), null, new EcsBudget(new TokenBucket(50, 5), "coscale-budget"), budget,
                new EcsBudget(new TokenBucket(20, 10), "coscale-tag-budget"), ControlThreads.create(2, 4, 4), Clock.systemUTC(),
                Duration.ofMillis(100), Duration.ofSeconds(2), 100, Duration.ZERO,
                new ControlMetrics(new SimpleMeterRegistry()));
        String service = "alone";
        ecs.createService(service, 2);
        PoolController pool = pool(service);
        ecs.awaitCounts(service, 2, 0);
        String task = ecs.activeTasks(service).get(0).taskArn();
        ecs.ecs.updateTaskProtection(b -> b.cluster(EcsEmulatorFixture.CLUSTER).tasks(task).protectionEnabled(true)
                .expiresInMinutes(120));
        budget.spent(2);  // the budget's clock stands still: the take-over waits until the test moves it
        long listTasks = calls("ListTasks");

        reconcile(pool);
        pool.takeOver().get(10, TimeUnit.SECONDS);  // this replica lost the lease and won it back meanwhile
        nanos.addAndGet(TimeUnit.SECONDS.toNanos(10));
        reconcile(pool);  // the take-over is due again: it queues behind the first, which now gets the one spare token
        eventually().until(() -> calls("GetTaskProtection") > 0);

        assertThat(calls("ListTasks") - listTasks).as("only the first take-over has read").isEqualTo(1);
        await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2)).until(() -> !pool.protectionTakenOver()
                && pool.status().protectedTasks() == 0);

        nanos.addAndGet(TimeUnit.SECONDS.toNanos(10));
        budget.takeoverTurn();  // wakes the queue up: the second take-over goes first
        eventually().until(pool::protectionTakenOver);
        assertThat(pool.status().protectedTasks()).isEqualTo(1);
        assertThat(calls("ListTasks") - listTasks).isEqualTo(2);
        budget.close();
    }

    /**
     * A pool whose take-over becomes due while a sweep of its cluster runs (this replica took the lease over again)
     * waits for the next sweep: the one begun before answers only the pools that asked before it began.
     */
    @Test
    void aPoolDueWhileASweepOfItsClusterRunsIsAnsweredByTheNext() throws Exception {
        AtomicLong nanos = new AtomicLong();
        TaskReadBudget budget = new TaskReadBudget(new TokenBucket(10, 1, nanos::get), 1, Duration.ofSeconds(10),
                new TokenBucket(50, 40), TakeoverBy.CLUSTER);
        ctx.threads().shutdown();
        ctx = ControlContext.create(new EcsGateway(ecs.ecs), null, new EcsBudget(new TokenBucket(50, 5), "coscale-budget"), budget,
                new EcsBudget(new TokenBucket(20, 10), "coscale-tag-budget"), ControlThreads.create(2, 4, 4), Clock.systemUTC(),
                Duration.ofMillis(100), Duration.ofSeconds(2), 100, Duration.ZERO,
                new ControlMetrics(new SimpleMeterRegistry()));
        List<PoolController> both = new ArrayList<>();
        List<String> tasks = new ArrayList<>();
        for (String service : List.of("first", "second")) {
            ecs.createService(service, 1);
            both.add(pool(service));
            ecs.awaitCounts(service, 1, 0);
            tasks.add(ecs.activeTasks(service).get(0).taskArn());
        }
        ecs.ecs.updateTaskProtection(b -> b.cluster(EcsEmulatorFixture.CLUSTER).tasks(tasks).protectionEnabled(true)
                .expiresInMinutes(120));
        budget.spent(10);  // the budget's clock stands still: the sweep waits until the test moves it
        long listTasks = calls("ListTasks");

        reconcile(both.get(0));  // a sweep begins, the second pool (due) with it
        both.get(1).takeOver().get(10, TimeUnit.SECONDS);  // a lease takeover: the second pool is due again
        reconcile(both.get(1));
        nanos.addAndGet(TimeUnit.SECONDS.toNanos(20));
        budget.takeoverTurn();  // wakes the queue up

        eventually().until(() -> both.stream().allMatch(PoolController::protectionTakenOver));
        assertThat(calls("ListTasks") - listTasks).as("two sweeps of the cluster").isEqualTo(2);
        assertThat(both).allSatisfy(p -> assertThat(p.status().protectedTasks()).isEqualTo(1));
        budget.close();
    }

    /** One pool's reconcile step, given its service as ECS shows it and an empty queue. */
    private void reconcile(PoolController pool) throws Exception {
        ServiceState service = new EcsGateway(ecs.ecs).describeServices(EcsEmulatorFixture.CLUSTER,
                List.of(pool.pool().service())).get(0);
        pool.reconcile(service, QueueDepth.EMPTY, System.nanoTime(), pool.submissionMark()).get(10, TimeUnit.SECONDS);
    }

    /** The first pass after start-up: each pool's step, given its service as ECS shows it and an empty queue. */
    private void reconcileAll() throws Exception {
        EcsGateway gateway = new EcsGateway(ecs.ecs);
        Map<String, ServiceState> services = new HashMap<>();
        for (int i = 0; i < POOLS; i += 10) {
            List<String> names = pools.subList(i, Math.min(POOLS, i + 10)).stream().map(p -> p.pool().service()).toList();
            gateway.describeServices(EcsEmulatorFixture.CLUSTER, names).forEach(s -> services.put(s.service(), s));
        }
        long at = System.nanoTime();
        for (PoolController pool : pools) {
            pool.reconcile(services.get(pool.pool().service()), QueueDepth.EMPTY, at, pool.submissionMark())
                    .get(10, TimeUnit.SECONDS);
        }
    }

    private double takeoversPending() {
        return registry.get("coscale.protection.takeovers.pending").gauge().value();
    }

    private long calls(String action) {
        return ecs.emulator.stats().snapshot().apiCalls(action);
    }
}
