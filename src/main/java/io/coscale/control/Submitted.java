package io.coscale.control;

import io.coscale.domain.SendOutcome;
import java.util.List;

/** What became of a submission: an outcome per job, in submission order, and the desiredCount the pool is heading for. */
public record Submitted(List<SendOutcome> outcomes, int desiredCount) {
}
