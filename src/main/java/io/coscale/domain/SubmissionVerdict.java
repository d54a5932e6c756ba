package io.coscale.domain;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * What SQS's outcomes mean for the caller of a submission, one job or a batch: pure, one rule for both. Only an SQS
 * {@code Invalid…} refusal that is not transient is the job's own fault; a job SQS failed while it had it may be
 * enqueued (never answered "not enqueued"); anything else is SQS being unreachable, and nothing was enqueued.
 */
public final class SubmissionVerdict {

    private SubmissionVerdict() {
    }

    /** Why a whole request is refused. */
    public enum Refusal {
        /** SQS could not be reached or refused for itself: nothing was enqueued, a retry is safe (503). */
        UNAVAILABLE,
        /** SQS failed while it had the jobs: they may be enqueued, and a retry may enqueue them twice (502). */
        OUTCOME_UNKNOWN,
        /** SQS refused the job itself: the request is at fault (400). */
        INVALID
    }

    /** A request refused as a whole, with the sentence for its caller. */
    public record Refused(Refusal refusal, String detail) {
    }

    /** An entry of a batch that was not enqueued (or may have been: code {@code OutcomeUnknown}). */
    public record FailedEntry(int index, String code, String message) {
    }

    /**
     * A batch's verdict: refused as a whole, or each entry's job id (null where it failed) and the failed entries by
     * index.
     */
    public record Batch(Optional<Refused> refused, List<String> jobIds, List<FailedEntry> failed) {
    }

    /** The refusal of one job SQS did not accept. */
    public static Refused ofOne(SendOutcome outcome) {
        if (outcome.neverSent()) {
            return new Refused(Refusal.UNAVAILABLE, outcome.message());
        }
        if (entrysOwnFault(outcome)) {
            return new Refused(Refusal.INVALID, "SQS refused the job: " + outcome.errorCode() + ": " + outcome.message());
        }
        if (outcome.maybeEnqueued()) {
            return new Refused(Refusal.OUTCOME_UNKNOWN, "SQS failed while it had the job: it may be enqueued, and a retry "
                    + "may enqueue it twice (" + outcome.message() + ")");
        }
        return new Refused(Refusal.UNAVAILABLE, "queue unreachable: the job was not enqueued (" + outcome.message() + ")");
    }

    /**
     * A batch's verdict. When no entry got through and SQS (not the entries) is to blame, the batch as a whole is
     * refused: {@link Refusal#UNAVAILABLE} if nothing can have been enqueued, {@link Refusal#OUTCOME_UNKNOWN} if SQS may
     * have some.
     *
     * @param total the entries of the request
     * @param invalid the entries coscale refused before sending
     * @param validIndex each sent job's index in the request, in the order of {@code outcomes}
     * @param outcomes SQS's outcome of each sent job
     */
    public static Batch ofBatch(int total, List<FailedEntry> invalid, int[] validIndex, List<SendOutcome> outcomes) {
        String[] jobIds = new String[total];
        List<FailedEntry> failed = new ArrayList<>(invalid);
        boolean sqsDown = !outcomes.isEmpty();
        boolean maybeEnqueued = false;
        for (int k = 0; k < outcomes.size(); k++) {
            SendOutcome outcome = outcomes.get(k);
            int index = validIndex[k];
            if (outcome.accepted()) {
                jobIds[index] = outcome.jobId();
                sqsDown = false;
            } else {
                sqsDown &= !entrysOwnFault(outcome);
                maybeEnqueued |= outcome.maybeEnqueued();
                failed.add(outcome.maybeEnqueued()
                        ? new FailedEntry(index, "OutcomeUnknown", "may be enqueued (SQS failed while it had it): "
                                + outcome.message())
                        : new FailedEntry(index, outcome.errorCode(), outcome.message()));
            }
        }
        if (sqsDown && invalid.isEmpty()) {
            return new Batch(Optional.of(maybeEnqueued
                    ? new Refused(Refusal.OUTCOME_UNKNOWN, "SQS failed while it had the jobs: they may be enqueued, and a "
                            + "retry may enqueue them twice (" + failed.get(0).message() + ")")
                    : new Refused(Refusal.UNAVAILABLE, "queue unreachable: nothing was enqueued ("
                            + failed.get(0).message() + ")")), Arrays.asList(jobIds), failed);
        }
        failed.sort(Comparator.comparingInt(FailedEntry::index));
        return new Batch(Optional.empty(), Arrays.asList(jobIds), failed);
    }

    /** Whether SQS refused the job for the job's own sake: a lasting {@code Invalid…} refusal. */
    private static boolean entrysOwnFault(SendOutcome outcome) {
        return !outcome.transientFailure() && outcome.errorCode() != null && outcome.errorCode().startsWith("Invalid");
    }
}
