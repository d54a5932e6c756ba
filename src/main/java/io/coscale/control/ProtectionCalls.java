package io.coscale.control;

import io.coscale.aws.EcsGateway;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** One merged UpdateTaskProtection call, answered per change. */
final class ProtectionCalls {

    private ProtectionCalls() {
    }

    /**
     * Applies {@code changes} (all alike: see {@link ProtectionChange#sameCall}) in one call. An enable ECS refused
     * has no answer (its claim fails); a refused disable is moot (the task is gone), so it is answered.
     */
    static Map<ProtectionChange, Optional<Instant>> apply(EcsGateway ecs, String cluster, List<ProtectionChange> changes) {
        ProtectionChange first = changes.get(0);
        Map<String, Optional<Instant>> byArn = ecs.setProtection(cluster,
                changes.stream().map(ProtectionChange::taskArn).distinct().toList(), first.enabled(), first.minutes());
        Map<ProtectionChange, Optional<Instant>> answers = new HashMap<>();
        for (ProtectionChange change : changes) {
            Optional<Instant> answer = byArn.get(change.taskArn());
            if (answer != null || !change.enabled()) {
                answers.put(change, answer == null ? Optional.empty() : answer);
            }
        }
        return answers;
    }
}
