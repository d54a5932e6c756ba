package io.coscale.sim;

import io.coscale.control.ClaimResult;
import io.coscale.domain.ReleaseDecision;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The guarantees of docs/API.md, I1–I6, checked against the models after every event of a run (and at its end):
 * <ul>
 *   <li>I1 a task a claim answered {@code protected: true} is protected in ECS until its worker is told to exit: at the
 *       answer, while its worker holds a message, and no scale-in stops it meanwhile;</li>
 *   <li>I2 each worker exit lowers desiredCount at most once: no task carries two different exit records, and the
 *       decrements written for exits (by writes that lower the count to the value an exit recorded: one exit, or
 *       several merged into one write) never outnumber the exits recorded, each matched with an exit when it is
 *       answered {@code exit}; an exit answered {@code exit} is counted from then on (lowered for, absorbed by a raise,
 *       or its decrement lost), so no later write lowers for it;</li>
 *   <li>I3 a job answered 202 is in SQS once per jobId, a job answered 503 (or, in a batch answered 202, listed as not
 *       enqueued) is not in SQS: at the answer and at the end; a 502 (outcome unknown) may be either;</li>
 *   <li>I4 at most one replica's ECS writes land per epoch, in epoch order: a write lands under the lease's current
 *       epoch, the one it was checked under;</li>
 *   <li>I5 desiredCount stays within [minTasks, maxTasks], and after the work every job is done and the pool is back
 *       at minTasks;</li>
 *   <li>I6 a 503 to a claim or release left ECS as it was, or coscale re-asserts it before answering anything else: the
 *       next answer to that worker finds the task protected again if it was. A release whose exit record landed may
 *       be decided again (continue) by a replica that took over and read the task before the record showed: the
 *       window docs/API.md names, counted, not a violation.</li>
 * </ul>
 */
final class Invariants {

    /** ECS as a worker's request found it when it was sent. */
    record Sent(boolean protectedInEcs, String exitTag) {
    }

    /** A request that failed, and what ECS was when it was sent. */
    record Failed(String step, boolean protectedBefore, String exitTagBefore) {
    }

    private final Simulation sim;
    private final List<String> violations = new ArrayList<>();
    private final Set<String> covered = new LinkedHashSet<>();
    private final Map<String, String> firstExitTag = new HashMap<>();
    private long checks;
    /** Exits recorded (task → its tag's value) not yet answered {@code exit}. */
    private final Map<String, Integer> exitsToLower = new java.util.LinkedHashMap<>();
    /** Decrements written for exits (by a lowering to a count an exit recorded) whose exits are not yet answered. */
    private int decrementsUnanswered;
    /** Writes that lowered the count for more than one exit at once. */
    private int mergedDecrements;
    /** Count changes (raises, or none at all) made while exits were recorded and not yet counted. */
    private int raisesOverPendingExits;
    /** Exits answered {@code exit} with no write of their own: absorbed by a raise, or their decrement lost. */
    private int countedWithoutWrite;
    private int lostRecordWindow;
    /** I3: how many copies of each job SQS took, and each job's answer (202, 502 or 503) to its submission. */
    private final Map<String, Integer> enqueued = new HashMap<>();
    private final Map<String, Integer> submissionAnswers = new java.util.LinkedHashMap<>();

    Invariants(Simulation sim) {
        this.sim = sim;
    }

    List<String> violations() {
        return violations;
    }

    Set<String> covered() {
        return covered;
    }

    /** Times a run met the one window I6 leaves open (an exit record landed, its replica gone): see {@link #answered}. */
    int lostRecordWindow() {
        return lostRecordWindow;
    }

    int mergedDecrements() {
        return mergedDecrements;
    }

    int raisesOverPendingExits() {
        return raisesOverPendingExits;
    }

    int countedWithoutWrite() {
        return countedWithoutWrite;
    }

    long checks() {
        return checks;
    }

    private void check(boolean holds, String invariant, String what) {
        checks++;
        if (!holds && violations.size() < 20) {
            violations.add(String.format("%s at %s: %s", invariant, sim.scheduler.instant(), what));
        }
    }

    void covered(Simulation.Call call, FaultKind fault) {
        covered.add(call.site() + " × " + fault);
    }

    private Instant now() {
        return sim.scheduler.instant();
    }

    private boolean protectedInEcs(String arn) {
        SimEcs.Task task = sim.ecs().task(arn);
        return task != null && task.protectedAt(now());
    }

    void afterEvent() {
        int desired = sim.ecs().desired();
        check(desired >= sim.pool.minTasks() && desired <= sim.pool.maxTasks(), "I5",
                "desiredCount " + desired + " outside [" + sim.pool.minTasks() + ", " + sim.pool.maxTasks() + "]");
        for (SimWorker w : sim.workers().values()) {
            if (!w.gone && w.message != null && w.protectedClaimed && !w.toldExit) {
                check(protectedInEcs(w.taskArn), "I1", w.name + " holds a message on an unprotected task");
            }
        }
        for (SimEcs.Task task : sim.ecs().allTasks()) {
            if (task.exitTag != null) {
                String first = firstExitTag.putIfAbsent(task.arn, task.exitTag);
                check(first == null || first.equals(task.exitTag), "I2", "task " + task.arn + " had exit record " + first
                        + ", now " + task.exitTag + ": its exit decided twice");
            }
        }
        for (Throwable e : sim.scheduler.uncaught()) {
            check(e instanceof Simulation.DroppedByKill, "harness", "uncaught " + e);
        }
        sim.scheduler.uncaught().clear();
    }

    /** An exit record {@code value} lands on {@code task}, which had {@code before}. */
    void exitRecorded(SimEcs.Task task, String before, String value) {
        if (!value.equals(before)) {
            exitsToLower.put(task.arn, Integer.parseInt(value));
        }
    }

    /**
     * An UpdateService is applied, from {@code from} to {@code to}. A lowering to the count an exit recorded carries
     * exits' decrements (a reconcile's lowering toward minTasks records nothing): the decrements written for exits not
     * yet answered must not outnumber the exits recorded and not yet answered. Which exits a write counted is not
     * told by the counts they recorded, nor by the order ECS shows their records: records are written after the step
     * that decided them, side by side, so an exit decided from 4 (→ 3) may be counted after one decided from 3 (→ 2),
     * by a write from 3, and a record whose answer was lost lands before coscale knows it. So a decrement is matched
     * with an exit when the exit is answered ({@link #answered}).
     */
    void countWritten(int from, int to) {
        sim.trace("  desiredCount " + from + " -> " + to);
        raisesOverPendingExits += to > from && !exitsToLower.isEmpty() ? 1 : 0;
        if (to < from && exitsToLower.containsValue(to)) {
            decrementsUnanswered += from - to;
            check(decrementsUnanswered <= exitsToLower.size(), "I2", "exits recorded as " + exitsToLower.values()
                    + " lowered the count " + from + " -> " + to + ", " + decrementsUnanswered
                    + " decrements for exits not yet answered");
            mergedDecrements += from - to > 1 ? 1 : 0;
        }
    }

    /** An ECS write of {@code proc} lands now. */
    void landed(Simulation.Proc proc, Simulation.Call call) {
        check(sim.storeEpoch == proc.lead.checkedEpoch, "I4", call.name() + " of " + proc.name + " checked under epoch "
                + proc.lead.checkedEpoch + " landed in epoch " + sim.storeEpoch);
    }

    /** ECS stops a task its worker is on. */
    void stopped(SimWorker w) {
        check(!(w.message != null && w.protectedClaimed && !w.toldExit), "I1",
                "a scale-in stopped " + w.name + " while it held a message");
    }

    Sent sending(SimWorker w) {
        SimEcs.Task task = sim.ecs().task(w.taskArn);
        return new Sent(protectedInEcs(w.taskArn), task == null ? null : task.exitTag);
    }

    Failed failedRequest(SimWorker w, Sent sent, String step) {
        return new Failed(step, sent.protectedInEcs(), sent.exitTag());
    }

    void answered(SimWorker w, Sent sent, Object answer) {
        sim.trace("  " + w.name + " answered " + answer);
        boolean protectedNow = protectedInEcs(w.taskArn);
        if (answer instanceof ClaimResult claim && claim.isProtected()) {
            check(protectedNow, "I1", w.name + "'s claim answered protected: true, but ECS holds no protection");
        }
        if (answer instanceof ReleaseDecision d && d.kind() == ReleaseDecision.Kind.EXIT) {
            // Counted: lowered for already, absorbed by a raise, or its decrement lost; never lowered for later.
            if (exitsToLower.remove(w.taskArn) != null) {
                if (decrementsUnanswered > 0) {
                    decrementsUnanswered--;
                } else {
                    countedWithoutWrite++;
                }
            }
        }
        Failed failed = w.failed;
        if (failed == null) {
            return;
        }
        boolean keepsWorking = answer instanceof ClaimResult c ? c.isProtected()
                : ((ReleaseDecision) answer).kind() != ReleaseDecision.Kind.EXIT;
        if (failed.protectedBefore() && keepsWorking) {
            check(protectedNow, "I6", w.name + " answered " + answer + " after a failed " + failed.step()
                    + ", but the protection it had is not re-asserted");
        }
        SimEcs.Task task = sim.ecs().task(w.taskArn);
        String tagNow = task == null ? null : task.exitTag;
        if ("release".equals(failed.step()) && answer instanceof ReleaseDecision d && tagNow != null
                && !tagNow.equals(failed.exitTagBefore()) && d.kind() != ReleaseDecision.Kind.EXIT) {
            // The window docs/API.md names: the exit record landed and the replica that wrote it was killed or lost
            // the lease; the one that took over did not see the record yet and decided again (continue). The task
            // goes on with the record on it, and its next release replays the exit without lowering: one decrement
            // lost (the count one too high until another release takes it down), never doubled (I2 checks that).
            lostRecordWindow++;
        }
    }

    /** SQS took a copy of job {@code jobId}. */
    void enqueued(String jobId) {
        enqueued.merge(jobId, 1, Integer::sum);
    }

    /** The client was answered {@code status} for job {@code jobId}. */
    void submissionAnswered(String jobId, int status) {
        sim.trace("  " + jobId + " answered " + status);
        submissionAnswers.put(jobId, status);
        checkSubmission(jobId, status);
    }

    private void checkSubmission(String jobId, int status) {
        int copies = enqueued.getOrDefault(jobId, 0);
        if (status == 202) {
            check(copies == 1, "I3", jobId + " answered 202 is in SQS " + copies + " times");
        } else if (status == 503) {
            check(copies == 0, "I3", jobId + " answered 503 (not enqueued) is in SQS " + copies + " times");
        }
    }

    /** After the run: the work is done and the pool back at minTasks. */
    void atEnd() {
        submissionAnswers.forEach(this::checkSubmission);
        check(sim.sqs().deleted() == sim.sqs().sent(), "I5", "only " + sim.sqs().deleted() + " of " + sim.sqs().sent()
                + " jobs done by the horizon");
        check(sim.ecs().desired() == sim.pool.minTasks(), "I5", "desiredCount " + sim.ecs().desired()
                + " after the work, minTasks " + sim.pool.minTasks());
        afterEvent();
    }
}
