package io.coscale.domain;

import static org.assertj.core.api.Assertions.assertThat;

import io.coscale.domain.SubmissionVerdict.FailedEntry;
import io.coscale.domain.SubmissionVerdict.Refusal;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class SubmissionVerdictTest {

    private static final SendOutcome OK = SendOutcome.accepted("j");
    private static final SendOutcome INVALID = SendOutcome.refused("j", false, "InvalidParameterValue", "bad body");
    private static final SendOutcome INVALID_BUT_TRANSIENT = SendOutcome.refused("j", true, "InvalidParameterValue", "odd");
    private static final SendOutcome THROTTLED = SendOutcome.refused("j", true, "ThrottlingException", "slow down");
    private static final SendOutcome DENIED = SendOutcome.refused("j", false, "AccessDenied", "no");
    private static final SendOutcome MAYBE = new SendOutcome("j", false, true, "InternalError", "cut", true);
    private static final SendOutcome NOT_SENT = SendOutcome.notSent("j", "send queue full");

    static Stream<Arguments> oneJob() {
        return Stream.of(
                Arguments.of("never handed to SQS: unavailable, with why", NOT_SENT, Refusal.UNAVAILABLE, "send queue full"),
                Arguments.of("a lasting Invalid… refusal is the job's own fault", INVALID, Refusal.INVALID,
                        "SQS refused the job: InvalidParameterValue: bad body"),
                Arguments.of("a transient Invalid… refusal is SQS's", INVALID_BUT_TRANSIENT, Refusal.UNAVAILABLE,
                        "queue unreachable: the job was not enqueued (odd)"),
                Arguments.of("throttled: unavailable", THROTTLED, Refusal.UNAVAILABLE,
                        "queue unreachable: the job was not enqueued (slow down)"),
                Arguments.of("a lasting refusal that is not Invalid…: SQS's, not the job's", DENIED, Refusal.UNAVAILABLE,
                        "queue unreachable: the job was not enqueued (no)"),
                Arguments.of("failed while SQS had it: never promised unenqueued", MAYBE, Refusal.OUTCOME_UNKNOWN,
                        "SQS failed while it had the job: it may be enqueued, and a retry may enqueue it twice (cut)"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("oneJob")
    void oneJobIsRefusedForWhatSqsSaid(String label, SendOutcome outcome, Refusal refusal, String detail) {
        assertThat(SubmissionVerdict.ofOne(outcome)).as(label).isEqualTo(new SubmissionVerdict.Refused(refusal, detail));
    }

    static Stream<Arguments> batches() {
        FailedEntry parsed = new FailedEntry(0, "InvalidJob", "no payload");
        return Stream.of(
                Arguments.of("all accepted", List.of(), List.of(OK, OK), Optional.empty(),
                        Arrays.asList("j", "j"), List.of()),
                Arguments.of("one refused for itself, one accepted: listed, not refused whole", List.of(),
                        List.of(INVALID, OK), Optional.empty(), Arrays.asList(null, "j"),
                        List.of(new FailedEntry(0, "InvalidParameterValue", "bad body"))),
                Arguments.of("every entry refused for itself: listed, not refused whole", List.of(),
                        List.of(INVALID, INVALID), Optional.empty(), Arrays.asList(null, null),
                        List.of(new FailedEntry(0, "InvalidParameterValue", "bad body"),
                                new FailedEntry(1, "InvalidParameterValue", "bad body"))),
                Arguments.of("SQS unreachable for every entry: unavailable", List.of(), List.of(THROTTLED, THROTTLED),
                        Optional.of(Refusal.UNAVAILABLE), Arrays.asList(null, null),
                        List.of(new FailedEntry(0, "ThrottlingException", "slow down"),
                                new FailedEntry(1, "ThrottlingException", "slow down"))),
                Arguments.of("SQS failed while it had one of them: outcome unknown", List.of(), List.of(THROTTLED, MAYBE),
                        Optional.of(Refusal.OUTCOME_UNKNOWN), Arrays.asList(null, null),
                        List.of(new FailedEntry(0, "ThrottlingException", "slow down"),
                                new FailedEntry(1, "OutcomeUnknown", "may be enqueued (SQS failed while it had it): cut"))),
                Arguments.of("an entry coscale refused keeps the batch an answer, even with SQS down", List.of(parsed),
                        List.of(THROTTLED), Optional.empty(), Arrays.asList(null, null),
                        List.of(parsed, new FailedEntry(1, "ThrottlingException", "slow down"))),
                Arguments.of("nothing sent (every entry refused by coscale): an answer", List.of(parsed), List.of(),
                        Optional.empty(), Arrays.asList((String) null), List.of(parsed)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("batches")
    void aBatchIsRefusedWholeOnlyWhenSqsAloneIsToBlame(String label, List<FailedEntry> invalid, List<SendOutcome> outcomes,
            Optional<Refusal> refusal, List<String> jobIds, List<FailedEntry> failed) {
        int total = invalid.size() + outcomes.size();
        int[] validIndex = new int[outcomes.size()];
        for (int k = 0; k < outcomes.size(); k++) {
            validIndex[k] = invalid.size() + k;
        }
        SubmissionVerdict.Batch verdict = SubmissionVerdict.ofBatch(total, invalid, validIndex, outcomes);

        assertThat(verdict.refused().map(SubmissionVerdict.Refused::refusal)).as(label).isEqualTo(refusal);
        assertThat(verdict.jobIds()).as(label).isEqualTo(jobIds);
        assertThat(verdict.failed()).as(label).isEqualTo(failed);
    }
}
