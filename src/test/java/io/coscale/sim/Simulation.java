package io.coscale.sim;

import io.coscale.aws.AwsCallException;
import io.coscale.aws.SqsWire;
import io.coscale.config.EcsConfig.TakeoverBy;
import io.coscale.control.SimulatedReplica;
import io.coscale.domain.Mode;
import io.coscale.domain.OutgoingMessage;
import io.coscale.domain.Pool;
import io.coscale.domain.QueueDepth;
import io.coscale.domain.SendOutcome;
import io.coscale.domain.SubmissionVerdict;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.Supplier;

/**
 * One run of coscale in the simulation: two coscale processes sharing a lease, the real control path of each
 * ({@link SimulatedReplica}) against the ECS and SQS models, workers that follow docs/API.md to the letter, and a client
 * submitting jobs. One seed decides every interleaving; the fault plan decides what each ECS, SQS and lease call's
 * caller is told. The invariants ({@link Invariants}) are checked after every event.
 */
final class Simulation {

    static final long SECOND = 1_000_000_000L;
    /** coscale.ecs.call-timeout's default. */
    static final long CALL_TIMEOUT = 1_500_000_000L;
    /** How long reads answer the world from before a change, after a stale-read fault. */
    static final long STALE_WINDOW = 2 * SECOND;
    static final long HORIZON = 600 * SECOND;
    /** {@code -Dsim.trace=true}: every call and answer printed, to read a failing schedule's replay. */
    static final boolean TRACE = Boolean.getBoolean("sim.trace");

    /**
     * The first index of a submission's SendMessageBatch calls: they are numbered apart from the ECS and lease calls,
     * so that a schedule written before the submission send was modelled replays the same calls.
     */
    static final int SEND_INDEX = 1_000_000;
    static final String SEND = "SendMessageBatch";

    /** One call made: its place in the run, the process, the protocol step and the call. */
    record Call(int index, String process, String step, String name) {
        String site() {
            return step + " × " + name;
        }
    }

    /** What each call's caller is told. */
    @FunctionalInterface
    interface FaultPlan {
        FaultKind at(Call call);

        FaultPlan NONE = call -> null;
    }

    /**
     * How a run is set up, all from the seed. {@code jobsAtFirstExit}: jobs the client submits the moment the first exit
     * record lands (seeds of 5 modulo 7), so that a raise may meet exits whose decrement is pending.
     */
    record Scenario(long seed, int minTasks, int maxTasks, List<long[]> bursts, long handOverAt, TakeoverBy takeoverBy,
            int jobsAtFirstExit) {

        static Scenario of(long seed) {
            Random r = new Random(seed * 31 + 7);
            List<long[]> bursts = new ArrayList<>();
            int n = 1 + r.nextInt(3);
            for (int i = 0; i < n; i++) {
                bursts.add(new long[] {(2 + r.nextInt(40)) * SECOND, 1 + r.nextInt(5)});
            }
            long handOver = r.nextBoolean() ? (20 + r.nextInt(40)) * SECOND : -1;
            // An odd seed takes protection over by a sweep of the cluster, an even one by the pool's service.
            return new Scenario(seed, r.nextInt(4) == 0 ? 1 : 0, 3 + r.nextInt(2), bursts, handOver,
                    seed % 2 == 1 ? TakeoverBy.CLUSTER : TakeoverBy.AUTO, seed % 7 == 5 ? 1 + (int) (seed % 3) : 0);
        }
    }

    /** A coscale process: a replica (A or B) in one of its lives. */
    final class Proc {
        final String name;
        final String replica;
        final SimLeadership lead;
        final SimulatedReplica control;
        boolean dead;

        Proc(String replica, int life) {
            this.replica = replica;
            this.name = replica + life;
            this.lead = new SimLeadership(scheduler, name);
            this.control = new SimulatedReplica(pool, SimGateways.ecs(Simulation.this, this),
                    SimGateways.sqs(Simulation.this, this), scheduler.executor(name), scheduler::nanos, scheduler.clock(),
                    jitter, lead, (p, jobs, groups) -> forward(jobs), Duration.ofSeconds(5), scenario.takeoverBy());
        }
    }

    private final Scenario scenario;
    private final FaultPlan plan;
    final SimScheduler scheduler;
    private final Random jitter;
    final Pool pool;
    private final SimEcs ecs;
    private final SimSqs sqs;
    final Invariants invariants;
    private final List<Call> calls = new ArrayList<>();
    private int sends;
    private int jobIds;
    private final Map<Call, FaultKind> faultsMade = new LinkedHashMap<>();
    private final List<Proc> procs = new ArrayList<>();
    private final Map<String, SimWorker> workers = new LinkedHashMap<>();
    private final Map<String, Integer> lives = new LinkedHashMap<>();
    private final long outageNanos;
    private boolean jobsAtExitSent;
    /** Per process and call name, until when that call is refused after a fault. */
    private final Map<String, Long> outages = new LinkedHashMap<>();
    // the lease item in the store
    String holder;
    long storeEpoch;
    long storeExpiry = Long.MIN_VALUE;

    Simulation(Scenario scenario, FaultPlan plan) {
        this(scenario, plan, 0);
    }

    /**
     * @param outageNanos after each fault, the same call of the same process is refused (throttled) for this long, so
     *     that a fault outlasts the call's retries — the partial failures in the middle of a step that retries hide
     */
    Simulation(Scenario scenario, FaultPlan plan, long outageNanos) {
        this.scenario = scenario;
        this.plan = plan;
        this.outageNanos = outageNanos;
        this.scheduler = new SimScheduler(scenario.seed());
        this.jitter = new Random(scenario.seed() ^ 0x5DEECE66DL);
        this.pool = new Pool("p", SimEcs.CLUSTER, SimEcs.SERVICE, "https://sqs.us-east-1.amazonaws.com/123456789012/jobs",
                scenario.minTasks(), scenario.maxTasks(), Mode.PROTECT, 1, 1, Duration.ofSeconds(20));
        this.ecs = new SimEcs(scheduler, scenario.minTasks(), this::taskStarted, this::taskStopped);
        this.sqs = new SimSqs(scheduler);
        this.invariants = new Invariants(this);
    }

    SimEcs ecs() {
        return ecs;
    }

    SimSqs sqs() {
        return sqs;
    }

    List<Call> calls() {
        return calls;
    }

    Map<Call, FaultKind> faultsMade() {
        return faultsMade;
    }

    long outageNanos() {
        return outageNanos;
    }

    Scenario scenario() {
        return scenario;
    }

    Map<String, SimWorker> workers() {
        return workers;
    }

    /** Runs to quiescence (or the horizon), checking the invariants after every event; then the end checks. */
    Simulation run() {
        startProc("A");
        startProc("B");
        every("ecs", "ecs scheduler", SECOND, ecs::tick);
        for (long[] burst : scenario.bursts()) {
            scheduler.startLater("client", "submission", burst[0], () -> submit((int) burst[1]));
        }
        if (scenario.handOverAt() >= 0) {
            scheduler.startLater("ops", "lease hand-over", scenario.handOverAt(), this::handOver);
        }
        try {
            while (scheduler.runOne(HORIZON)) {
                invariants.afterEvent();
                if (quiet()) {
                    break;
                }
            }
            invariants.atEnd();
        } finally {
            procs.forEach(p -> p.control.close());
        }
        return this;
    }

    /** All the work is done, and the pool is back at minTasks with nothing in flight. */
    private boolean quiet() {
        long last = scenario.bursts().stream().mapToLong(b -> b[0]).max().orElse(0);
        return scheduler.nanos() > Math.max(last, scenario.handOverAt()) + 30 * SECOND && sqs.deleted() == sqs.sent()
                && ecs.desired() == pool.minTasks() && ecs.liveTasks().size() == pool.minTasks()
                && workers.values().stream().allMatch(SimWorker::idleOrGone);
    }

    private void every(String owner, String step, long period, Runnable work) {
        scheduler.startLater(owner, step, period, () -> {
            work.run();
            every(owner, step, period, work);
        });
    }

    private void startProc(String replica) {
        int life = lives.merge(replica, 1, Integer::sum);
        Proc proc = new Proc(replica, life);
        procs.add(proc);
        scheduler.start(proc.name, "lease acquire", () -> heartbeat(proc));
        every(proc.name, "lease renewal", SimLeadership.HEARTBEAT, () -> heartbeat(proc));
        every(proc.name, "reconcile", 10 * SECOND, () -> {
            if (proc.lead.isLeader()) {
                proc.control.reconcile();
            }
        });
        every(proc.name, "renewal", 10 * SECOND, () -> {
            if (proc.lead.isLeader()) {
                proc.control.renewProtection();
            }
        });
    }

    /** The lease keeper's beat: renew while leading, else take the lease when it is free. */
    private void heartbeat(Proc p) {
        long now = scheduler.nanos();
        if (p.lead.holds && now >= p.lead.localExpiry) {
            p.lead.holds = false;
        }
        if (p.lead.holds) {
            leaseCall(p, "RenewLease", () -> {
                if (now < p.lead.renewalsFailUntil) {
                    throw new AwsCallException("lease store unreachable", true, false, "ClientError", null);
                }
                if (!p.name.equals(holder) || storeEpoch != p.lead.epoch) {
                    throw new AwsCallException("lease taken", false, false, "ConditionalCheckFailed", null);
                }
                storeExpiry = now + SimLeadership.DURATION;
                return null;
            }, () -> p.lead.localExpiry = now + SimLeadership.DURATION - SimLeadership.MARGIN);
        } else if (free(p, now)) {
            scheduler.start(p.name, "lease acquire", () -> leaseCall(p, "AcquireLease", () -> {
                if (scheduler.nanos() < p.lead.renewalsFailUntil) {
                    throw new AwsCallException("lease store unreachable", true, false, "ClientError", null);
                }
                if (!free(p, scheduler.nanos())) {
                    throw new AwsCallException("lease held", false, false, "ConditionalCheckFailed", null);
                }
                storeEpoch++;
                holder = p.name;
                storeExpiry = scheduler.nanos() + SimLeadership.DURATION;
                return null;
            }, () -> {
                p.lead.holds = true;
                p.lead.epoch = storeEpoch;
                p.lead.localExpiry = now + SimLeadership.DURATION - SimLeadership.MARGIN;
                // LeadershipChanged is fired after the keeper leads: a claim or release may come in between.
                scheduler.start(p.name, "take-over", p.control::takeOver);
            }));
        }
    }

    /**
     * Whether {@code p} may take the lease: released, its own, or expired a margin ago (a follower waits out the
     * lease's duration plus the margin from when it saw the item; the holder steps down a margin before the duration).
     */
    private boolean free(Proc p, long now) {
        return holder == null || p.name.equals(holder) || now >= storeExpiry + SimLeadership.MARGIN;
    }

    /** A coscale deploy: the leader stops serving, hands the lease over, and starts again as a follower. */
    private void handOver() {
        procs.stream().filter(p -> !p.dead && p.lead.isLeader()).findFirst().ifPresent(p -> {
            scheduler.kill(p.name);
            p.dead = true;
            leaseCall(p, "ReleaseLease", () -> {
                if (p.name.equals(holder)) {
                    holder = null;
                    storeExpiry = scheduler.nanos();
                }
                return null;
            }, () -> { });
            scheduler.startLater("ops", "restart", 3 * SECOND, () -> startProc(p.replica));
        });
    }

    private void kill(Proc p) {
        if (!p.dead) {
            p.dead = true;
            scheduler.kill(p.name);
            scheduler.startLater("ops", "restart", 3 * SECOND, () -> startProc(p.replica));
        }
    }

    /** A lease store call, faulted as the plan says. */
    private void leaseCall(Proc p, String name, Supplier<Void> apply, Runnable onSuccess) {
        try {
            call(p, name, true, apply);
            onSuccess.run();
        } catch (AwsCallException | DroppedByKill e) {
            // the beat failed: the next one tries again
        }
    }

    /** Thrown into a killed process's call: nothing after it runs in that process. */
    static final class DroppedByKill extends RuntimeException {
        DroppedByKill() {
            super("killed -9", null, false, false);
        }
    }

    /**
     * One call of a process: recorded, applied to the model, and answered as the fault plan says. A write lands
     * under the epoch it was checked under; the invariants see it land.
     */
    <T> T call(Proc p, String name, boolean write, Supplier<T> apply) {
        boolean lease = name.endsWith("Lease");
        String step = name.equals("ListTasks") || name.equals("GetTaskProtection") ? "take-over" : scheduler.step();
        int index = name.equals(SEND) ? SEND_INDEX + sends++ : calls.size() - sends;
        Call call = new Call(index, p.name, step, name);
        calls.add(call);
        FaultKind fault = plan.at(call);
        if (fault != null && !fault.appliesTo(lease)) {
            fault = null;
        }
        trace(call.index() + " " + p.name + " " + call.site() + (fault == null ? "" : " FAULT " + fault));
        if (fault != null) {
            faultsMade.put(call, fault);
            invariants.covered(call, fault);
        }
        Long outage = outages.get(p.name + " " + name);
        if (fault == null && outage != null && scheduler.nanos() < outage) {
            throw new AwsCallException(name + " failed: ThrottlingException (after a fault)", true, true,
                    "ThrottlingException", null);
        }
        if (fault != null && outageNanos > 0) {
            outages.put(p.name + " " + name, scheduler.nanos() + outageNanos);
        }
        if (fault == FaultKind.REFUSED_BEFORE_APPLY) {
            throw new AwsCallException(name + " failed: ThrottlingException", true, true, "ThrottlingException", null);
        }
        if (fault == FaultKind.TIMEOUT) {
            scheduler.pass(CALL_TIMEOUT, Set.of("lease renewal", "lease acquire"));
        }
        SimEcs.World ecsBefore = ecs.snapshot();
        QueueDepth sqsBefore = sqs.fresh();
        T result = apply.get();
        if (write && !lease) {
            invariants.landed(p, call);
        }
        if (fault == null) {
            return result;
        }
        switch (fault) {
            case APPLIED_THEN_5XX -> throw new AwsCallException(name + " failed: InternalFailure", true, false,
                    "InternalFailure", null, true);
            case APPLIED_THEN_DROPPED -> throw new AwsCallException(name + " failed: connection reset", true, false,
                    "ClientError", null, true);
            case TIMEOUT -> throw new AwsCallException(name + " failed: call timed out", true, false, "ClientError", null,
                    true);
            case KILLED_AFTER -> {
                kill(p);
                throw new DroppedByKill();
            }
            case LEASE_LOST_AFTER -> p.lead.renewalsFailUntil = scheduler.nanos() + SimLeadership.DURATION + 2 * SECOND;
            case STALE_READ_AFTER -> {
                ecs.staleFor(ecsBefore, STALE_WINDOW);
                sqs.staleFor(sqsBefore, STALE_WINDOW);
            }
            default -> {
            }
        }
        return result;
    }

    void trace(String line) {
        if (TRACE) {
            System.out.printf("%s %s%n", scheduler.instant(), line);
        }
    }

    /** An exit record landed: the first one brings the scenario's jobs, submitted at once beside the exit's steps. */
    void exitRecordLanded() {
        if (scenario.jobsAtFirstExit() > 0 && !jobsAtExitSent) {
            jobsAtExitSent = true;
            scheduler.start("client", "submission", () -> submit(scenario.jobsAtFirstExit()));
        }
    }

    /**
     * The client: a batch of jobs to a replica, which sends them onto the queue ({@link SimulatedReplica#send}) and
     * counts those SQS accepted (a follower passes the count on to the leader). The answer is the API's: each job's
     * verdict by {@link SubmissionVerdict}, I3 checked on it; jobs answered not enqueued are submitted again a second
     * later, as new jobs (coscale gives each submission its own job ids). With no replica up, or the replica killed
     * before it answered, the client has no answer: with none up it tries again a second later.
     */
    private void submit(int jobs) {
        List<Proc> live = procs.stream().filter(p -> !p.dead).toList();
        if (live.isEmpty()) {
            scheduler.startLater("client", "submission", SECOND, () -> submit(jobs));
            return;
        }
        Proc to = live.get(scheduler.random().nextInt(live.size()));
        List<OutgoingMessage> batch = new ArrayList<>();
        for (int i = 0; i < jobs; i++) {
            batch.add(new OutgoingMessage("j" + ++jobIds, "{}", Map.of(), 0, java.util.Optional.empty()));
        }
        List<SendOutcome> outcomes = to.control.send(batch).join();
        if (!alive(to)) {
            return;
        }
        int[] index = java.util.stream.IntStream.range(0, jobs).toArray();
        SubmissionVerdict.Batch verdict = SubmissionVerdict.ofBatch(jobs, List.of(), index, outcomes);
        int accepted = 0;
        int again = 0;
        for (int i = 0; i < jobs; i++) {
            String jobId = batch.get(i).jobId();
            if (verdict.refused().isPresent()) {
                boolean unavailable = verdict.refused().get().refusal() == SubmissionVerdict.Refusal.UNAVAILABLE;
                invariants.submissionAnswered(jobId, unavailable ? 503 : 502);
                again += unavailable ? 1 : 0;
            } else if (verdict.jobIds().get(i) != null) {
                invariants.submissionAnswered(jobId, 202);
                accepted++;
            } else {
                // A failed entry of a batch answered 202: "OutcomeUnknown" may be enqueued, any other was not.
                int entry = i;
                boolean maybe = verdict.failed().stream()
                        .anyMatch(f -> f.index() == entry && "OutcomeUnknown".equals(f.code()));
                invariants.submissionAnswered(jobId, maybe ? 502 : 503);
                again += maybe ? 0 : 1;
            }
        }
        if (accepted > 0) {
            int counted = accepted;
            scheduler.start(to.name, "submission", () -> to.control.submitted(counted));
        }
        if (again > 0) {
            int retried = again;
            scheduler.startLater("client", "submission", SECOND, () -> submit(retried));
        }
    }

    /**
     * SqsWire's SendMessageBatch as the simulation models it: attempts by the wire's own retry rule
     * ({@link SqsWire#retryDelayMillis}, its pauses not waited), each a call faulted as the plan says, and the call's
     * failure as uncertain as its most uncertain attempt.
     */
    List<SendOutcome> sendBatch(Proc p, String queueUrl, List<OutgoingMessage> batch) {
        boolean earlierMaybeApplied = false;
        for (int attempt = 1; ; attempt++) {
            try {
                call(p, SEND, false, () -> {
                    sqs.send(batch.size());
                    batch.forEach(m -> invariants.enqueued(m.jobId()));
                    return null;
                });
                return batch.stream().map(m -> SendOutcome.accepted(m.jobId())).toList();
            } catch (AwsCallException e) {
                if (SqsWire.retryDelayMillis(attempt, e, 0.5, Pool.isFifo(queueUrl)) < 0) {
                    AwsCallException last = earlierMaybeApplied ? e.maybeAppliedEarlier() : e;
                    return batch.stream().map(m -> last.outcomeOf(m.jobId())).toList();
                }
                earlierMaybeApplied |= e.maybeApplied();
            }
        }
    }

    private void forward(int jobs) {
        leader().ifPresent(l -> scheduler.start(l.name, "submission", () -> l.control.submitted(jobs)));
    }

    /** The process that leads as far as a load balancer's request would find: one that believes it does. */
    java.util.Optional<Proc> leader() {
        List<Proc> leading = procs.stream().filter(p -> !p.dead && p.lead.isLeader()).toList();
        return leading.isEmpty() ? java.util.Optional.empty()
                : java.util.Optional.of(leading.get(scheduler.random().nextInt(leading.size())));
    }

    boolean alive(Proc p) {
        return !p.dead;
    }

    /** Writes refused by processes that had stopped leading more than 20 s before (a retry that never ends). */
    int lateRefusals() {
        return procs.stream().mapToInt(p -> p.lead.lateRefusals).sum();
    }

    private void taskStarted(SimEcs.Task task) {
        trace("  ECS starts " + task.arn.substring(task.arn.length() - 3));
        SimWorker worker = new SimWorker(this, task.arn, "w" + (workers.size() + 1));
        workers.put(task.arn, worker);
        worker.start();
    }

    private void taskStopped(SimEcs.Task task) {
        trace("  ECS stops " + task.arn.substring(task.arn.length() - 3) + " (scale-in)");
        SimWorker worker = workers.get(task.arn);
        if (worker != null) {
            worker.sigterm();
        }
    }

    /** Sites (step × call) of the calls made, in order of first appearance. */
    Set<String> sites() {
        Set<String> sites = new LinkedHashSet<>();
        calls.forEach(c -> sites.add(c.site()));
        return sites;
    }
}
