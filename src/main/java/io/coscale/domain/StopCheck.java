package io.coscale.domain;

import java.time.Duration;

/**
 * When a pool's reconcile asks ECS (DescribeTasks) about the tasks coscale knows, to learn which stopped for a
 * reason of ECS's own. Pure. A pass where nothing changed asks nothing: with 1,000 pools an ask per pool per pass
 * would be 1,000 extra ECS calls every pass, where the DescribeServices the pass makes anyway already tells most
 * stops apart.
 *
 * <p>It asks when one of these holds:
 * <ul>
 * <li>coscale knows more live tasks than ECS runs or starts ({@code known > running + pending}): one of them is
 *     gone. A stopped task's replacement claims under a new ARN, so this holds from the stop until the next ask,
 *     whether the pass sees the gap or the replacement;</li>
 * <li>the service's counts ({@code desired}, {@code running}, {@code pending}) differ from those of the last ask:
 *     tasks came or went;</li>
 * <li>tasks coscale let exit wait to be seen stopped (so that they are forgotten);</li>
 * <li>the last ask is {@code backstop} old: a stop hidden by a replacement that has not claimed yet, or by counts
 *     that came back to the same figures, is seen within it.</li>
 * </ul>
 * Nothing known, nothing asked: a pool with no claimed, protected or exiting task has no task to lose.
 */
public final class StopCheck {

    private StopCheck() {
    }

    /** What a pass saw: the service's counts as read, and how many live tasks coscale knows (busy or protected). */
    public record Signal(int desired, int running, int pending, int known) {

        boolean sameCounts(Signal other) {
            return other != null && desired == other.desired && running == other.running && pending == other.pending;
        }
    }

    /**
     * Whether to ask ECS now.
     *
     * @param lastAsk the signal of the last ask; null before the first
     * @param now this pass's signal
     * @param exitsToSee tasks coscale let exit and has not yet seen stopped
     * @param sinceLastAsk how long ago the last ask was (ignored before the first)
     * @param backstop the longest a pool with known tasks goes without an ask
     */
    public static boolean due(Signal lastAsk, Signal now, int exitsToSee, Duration sinceLastAsk, Duration backstop) {
        if (now.known() == 0 && exitsToSee == 0) {
            return false;
        }
        return lastAsk == null
                || exitsToSee > 0
                || now.known() > now.running() + now.pending()
                || !now.sameCounts(lastAsk)
                || sinceLastAsk.compareTo(backstop) >= 0;
    }
}
