package io.coscale.control.status;

import java.time.Duration;
import java.time.Instant;

/**
 * Something read from ECS or SQS, and when: {@code at} is taken just before the read went out, so a figure is never
 * shown as younger than it is.
 */
record Observed<T>(T value, Instant at) {

    /** Whether this reading is older than {@code maxAge} at {@code now}. */
    boolean olderThan(Duration maxAge, Instant now) {
        return Duration.between(at, now).compareTo(maxAge) > 0;
    }
}
