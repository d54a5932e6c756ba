package io.coscale.api.health;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * When a replica is ready (the load balancer may send it requests) and when it is live (ECS need not restart it).
 * Pure: every input is a fact already measured, every age a {@link Duration} from the caller's own clock.
 *
 * <p>Ready, in this order (the first rule that fails is the reason):
 * <ol>
 *   <li>the pools are loaded;</li>
 *   <li>the warm-up has ended ({@link io.coscale.api.WarmUp}: the hot path compiled before traffic comes; bounded in
 *       time, and it ends early on a failure, so it delays readiness, never prevents it);</li>
 *   <li>the lease store answered within the lease's duration: a replica that cannot reach it cannot know who leads,
 *       nor keep the lease if it holds it;</li>
 *   <li>a leader is known, this replica or another, from the lease item;</li>
 *   <li>the leader: a reconcile pass completed within three reconcile intervals (a new leader has that long for its
 *       first), and ECS and SQS each answered at least one call of the last pass; one broken pool is never a reason;
 *   <li>a follower: its last call to the leader (a worker's claim or release passed on, a status read, job counts)
 *       got an answer, or went unanswered longer than three reconcile intervals ago (old news: the next call tells).</li>
 * </ol>
 * A replica that lost the lease is ready as a follower as soon as it knows the new leader.
 *
 * <p>Live: every loop of its own ticked within its bound, counted from start-up until its first tick. Nothing here
 * depends on leading, on ECS or on SQS: a restart fixes none of them.
 */
final class HealthRules {

    private HealthRules() {
    }

    /** Up or down, and why, in words an operator reads in the check's data. */
    record Verdict(boolean up, String reason) {
    }

    /**
     * What readiness looks at.
     *
     * @param sinceStoreAnswered  since the lease store last answered; empty if it never did
     * @param storeBound          how long the store may stay silent (the lease's duration)
     * @param leader              the replica that leads, as far as this one knows
     * @param self                this replica's id
     * @param leadingFor          how long this replica has led; empty when it does not
     * @param sincePass           since the last completed reconcile pass; empty if none
     * @param passBound           how old the last pass may be when leading (three reconcile intervals); also how long
     *                            a follower's unanswered call to the leader counts
     * @param sinceUnansweredCall since this follower's last call to the leader, if that call got no answer
     * @param warmingUp           whether the warm-up runs still
     */
    record Readiness(boolean poolsLoaded, Optional<Duration> sinceStoreAnswered, Duration storeBound,
            Optional<String> leader, String self, Optional<Duration> leadingFor, Optional<Duration> sincePass,
            Duration passBound, boolean ecsReachable, boolean sqsReachable, Optional<Duration> sinceUnansweredCall, boolean warmingUp) {
    }

    /** One loop that must keep ticking: since its last tick (empty before the first), and how long it may take. */
    record Loop(String name, Optional<Duration> sinceTick, Duration bound) {
    }

    static Verdict ready(Readiness in) {
        if (!in.poolsLoaded()) {
            return down("the pools are not loaded yet");
        }
        if (in.warmingUp()) {
            return down("warming up: the hot path runs on synthetic jobs before traffic comes");
        }
        if (in.sinceStoreAnswered().isEmpty()) {
            return down("the lease store has not answered yet");
        }
        if (in.sinceStoreAnswered().get().compareTo(in.storeBound()) > 0) {
            return down("the lease store has not answered for " + seconds(in.sinceStoreAnswered().get())
                    + " (more than the lease's " + seconds(in.storeBound()) + ")");
        }
        if (in.leader().isEmpty()) {
            return down("no leader is known");
        }
        if (in.leader().get().equals(in.self())) {
            return leaderReady(in);
        }
        Optional<Duration> unanswered = in.sinceUnansweredCall().filter(d -> d.compareTo(in.passBound()) <= 0);
        if (unanswered.isPresent()) {
            return down("the leader " + in.leader().get() + " did not answer this replica's last call, "
                    + seconds(unanswered.get()) + " ago");
        }
        return new Verdict(true, "follower of " + in.leader().get());
    }

    private static Verdict leaderReady(Readiness in) {
        boolean recentPass = in.sincePass().filter(d -> d.compareTo(in.passBound()) <= 0).isPresent();
        boolean newLeader = in.leadingFor().filter(d -> d.compareTo(in.passBound()) < 0).isPresent();
        if (!recentPass && !newLeader) {
            return down("leader, and no reconcile pass completed in the last " + seconds(in.passBound()));
        }
        if (!in.ecsReachable()) {
            return down("leader, and ECS answered no call of the last reconcile pass");
        }
        if (!in.sqsReachable()) {
            return down("leader, and SQS answered no queue read of the last reconcile pass");
        }
        return new Verdict(true, "leader");
    }

    static Verdict live(Duration sinceStart, List<Loop> loops) {
        for (Loop loop : loops) {
            Duration since = loop.sinceTick().orElse(sinceStart);
            if (since.compareTo(loop.bound()) > 0) {
                return down("the " + loop.name() + " has not ticked for " + seconds(since) + " (bound "
                        + seconds(loop.bound()) + ")");
            }
        }
        return new Verdict(true, "every loop ticks");
    }

    private static Verdict down(String reason) {
        return new Verdict(false, reason);
    }

    private static String seconds(Duration d) {
        return String.format(Locale.ROOT, "%.1f s", d.toMillis() / 1000.0);
    }
}
