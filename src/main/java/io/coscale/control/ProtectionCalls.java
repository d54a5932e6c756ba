package io.coscale.control;

import io.coscale.aws.EcsGateway;
import io.coscale.aws.TaskProtections;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** One merged UpdateTaskProtection call, answered per change. */
final class ProtectionCalls {

    /**
     * One change's answer: applied, with the protection's expiry (empty when turned off or not given), or refused by
     * ECS for this task alone, with ECS's reason.
     */
    record Answer(Optional<Instant> expiry, String refusal) {

        static Answer applied(Optional<Instant> expiry) {
            return new Answer(expiry, null);
        }

        static Answer refused(String reason) {
            return new Answer(Optional.empty(), reason);
        }
    }

    private ProtectionCalls() {
    }

    /**
     * Applies {@code changes} (all alike: see {@link ProtectionChange#sameCall}) in one call. An enable ECS refused is
     * answered with ECS's reason; a refused disable is moot (the task is gone), so it is answered as applied. A change
     * ECS said nothing about has no answer (its claim fails as ECS not answering).
     */
    static Map<ProtectionChange, Answer> apply(EcsGateway ecs, String cluster, List<ProtectionChange> changes) {
        ProtectionChange first = changes.get(0);
        TaskProtections done = ecs.setProtection(cluster,
                changes.stream().map(ProtectionChange::taskArn).distinct().toList(), first.enabled(), first.minutes());
        Map<ProtectionChange, Answer> answers = new HashMap<>();
        for (ProtectionChange change : changes) {
            Optional<Instant> applied = done.applied().get(change.taskArn());
            String refusal = done.refused().get(change.taskArn());
            if (applied != null) {
                answers.put(change, Answer.applied(applied));
            } else if (!change.enabled()) {
                answers.put(change, Answer.applied(Optional.empty()));
            } else if (refusal != null) {
                answers.put(change, Answer.refused(refusal));
            }
        }
        return answers;
    }
}
