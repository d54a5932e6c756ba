package io.coscale.lease;

import java.util.List;

/**
 * How a replica that does not lead hands the jobs it accepted to the one that does, so that the leader raises the
 * count within milliseconds wherever the load balancer sent the submission. SQS holds the jobs either way: a count
 * that never arrives only waits for the leader's next reconcile.
 */
@FunctionalInterface
public interface CountForwarding {

    /** One replica alone: nothing to forward. */
    CountForwarding NONE = (pool, jobs, messageGroups) -> {
    };

    /** Passes on {@code jobs} jobs SQS accepted for {@code pool} (and their FIFO message groups); never blocks. */
    void forward(String pool, int jobs, List<String> messageGroups);
}
