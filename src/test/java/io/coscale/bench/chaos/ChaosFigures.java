package io.coscale.bench.chaos;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What one chaos run measured, in the order it is printed. Only {@link #everyJobCompleted()} is asserted: the
 * other figures are the truth about the promise, printed whatever they are.
 */
public record ChaosFigures(String mode, int jobs, int accepted, long submitAttempts, long submitRefusals,
        long jobsCompleted, long queueLeft, long deadLettered, long tasksStoppedWhileBusy, long taskDeaths,
        long taskDeathsWhileBusy, long jobsInterrupted, long jobsReturned, long tasksStoppedByDeployment,
        long deploymentsCompleted, long desiredCountLowered, long exitRecordsStopped, long workerExitsClean, long workerExitsFailed, int minDesired, int maxDesired,
        List<String> outOfBounds, double secondsBackToMin, long updateService, long updateTaskProtection,
        long throttled, long faultsBeforeApply, long faultsAfterApply, long connectionsDropped, long staleReads,
        long sqsErrors, long sqsResets, int coscaleKills, List<String> killLog, int faultWindows, double seconds) {

    public long duplicated() {
        return Math.max(0, jobsCompleted - jobs);
    }

    /** Every job accepted, and every message gone from the queue without a dead letter: deleted after its work. */
    public boolean everyJobCompleted() {
        return accepted == jobs && queueLeft == 0 && deadLettered == 0;
    }

    /** The printed rows, label to value. */
    public Map<String, String> rows() {
        Map<String, String> r = new LinkedHashMap<>();
        r.put("jobs submitted (202) / planned", accepted + " / " + jobs);
        r.put("submission attempts (refused: 503 or no connection)", submitAttempts + " (" + submitRefusals + ")");
        r.put("deletes counted (a worker killed mid-delete goes uncounted)", Long.toString(jobsCompleted));
        r.put("jobs duplicated (at least: deletes - submitted)", Long.toString(duplicated()));
        r.put("left in queue / dead-lettered", queueLeft + " / " + deadLettered);
        r.put("BUSY TASKS STOPPED (scale-in or deploy, busy from receive)", Long.toString(tasksStoppedWhileBusy));
        r.put("decrements (sum of lowering UpdateService deltas)", Long.toString(desiredCountLowered));
        r.put("exits (tasks stopped with coscale's exit record)", Long.toString(exitRecordsStopped));
        r.put("workers that exited 0 on their own (after an exit or a drain; not picked by a scale-in first)", Long.toString(workerExitsClean));
        r.put("workers that gave up (exited non-zero on their own)", Long.toString(workerExitsFailed));
        r.put("injected task deaths (while busy)", taskDeaths + " (" + taskDeathsWhileBusy + ")");
        r.put("jobs interrupted / returned by workers", jobsInterrupted + " / " + jobsReturned);
        r.put("tasks replaced by the deployment (deployments completed)", tasksStoppedByDeployment + " (" + deploymentsCompleted + ")");
        r.put("desiredCount min / max seen (out of bounds)", minDesired + " / " + maxDesired + " (" + outOfBounds.size() + ")");
        r.put("seconds from last job to minTasks", secondsBackToMin < 0 ? "never" : String.format(java.util.Locale.ROOT, "%.1f", secondsBackToMin));
        r.put("UpdateService / UpdateTaskProtection calls", updateService + " / " + updateTaskProtection);
        r.put("ECS throttled / faults before / after apply / dropped", throttled + " / " + faultsBeforeApply + " / "
                + faultsAfterApply + " / " + connectionsDropped);
        r.put("stale ECS reads served", Long.toString(staleReads));
        r.put("SQS 500s / connection resets injected", sqsErrors + " / " + sqsResets);
        r.put("coscale killed -9 and restarted", Integer.toString(coscaleKills));
        r.put("fault windows", Integer.toString(faultWindows));
        r.put("run seconds", String.format(java.util.Locale.ROOT, "%.0f", seconds));
        return r;
    }
}
