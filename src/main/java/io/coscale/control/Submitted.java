package io.coscale.control;

import io.coscale.domain.SubmissionVerdict;
import java.util.List;
import java.util.Optional;

/**
 * The verdict on a submission, one job or a batch, as {@link Intake} gives it: refused as a whole (the caller answers
 * the refusal, and nothing else here applies), or each entry's job id in request order (null where it failed), the
 * entries that failed, and the desiredCount the pool is heading for.
 */
public record Submitted(Optional<SubmissionVerdict.Refused> refused, List<String> jobIds,
        List<SubmissionVerdict.FailedEntry> failed, int desiredCount) {
}
