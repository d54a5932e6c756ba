package io.coscale.domain;

/**
 * One observation of a pool's SQS queue, from the approximate-number attributes SQS reports.
 *
 * @param visible messages waiting to be received ({@code ApproximateNumberOfMessages})
 * @param inFlight messages received but not yet deleted: jobs some worker holds right now
 *     ({@code ApproximateNumberOfMessagesNotVisible})
 * @param delayed messages sent with a delay that are not yet visible ({@code ApproximateNumberOfMessagesDelayed})
 */
public record QueueDepth(long visible, long inFlight, long delayed) {

    /** A queue with nothing in it. */
    public static final QueueDepth EMPTY = new QueueDepth(0, 0, 0);

    /** @throws IllegalArgumentException if any count is negative */
    public QueueDepth {
        if (visible < 0 || inFlight < 0 || delayed < 0) {
            throw new IllegalArgumentException(
                    "queue counts must be >= 0, got visible=" + visible + " inFlight=" + inFlight + " delayed=" + delayed);
        }
    }

    /**
     * Messages that need or hold a task now: visible plus in flight. Delayed messages are left out on
     * purpose: asking for tasks up to 15 minutes early would pay for idle capacity; the reconciler picks
     * them up once they become visible. Saturates at {@link Long#MAX_VALUE} instead of overflowing.
     */
    public long outstanding() {
        return outstanding(Long.MAX_VALUE);
    }

    /**
     * Messages that need or hold a task now, counting in flight only what live tasks can be holding: visible plus
     * {@code min(inFlight, holdable)}. An in-flight message no live task holds — a failed job waiting out its
     * visibility timeout — needs no task until it is visible again, so it starts none (no task that would find
     * nothing and release, over and over, until the message reaches its dead-letter queue).
     *
     * @param holdable how many messages live tasks can hold now: busy tasks times messagesPerTask
     */
    public long outstanding(long holdable) {
        long sum = visible + Math.min(inFlight, Math.max(0, holdable));
        return sum < 0 ? Long.MAX_VALUE : sum;
    }

    /** True only when all three counts are zero: not even a delayed message is on its way. */
    public boolean isEmpty() {
        return visible == 0 && inFlight == 0 && delayed == 0;
    }
}
