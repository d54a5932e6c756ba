package io.coscale.local;

import java.util.concurrent.ThreadLocalRandom;

/**
 * How long the reference worker waits between a ReceiveMessage that returned a message and its claim, to
 * model slow workers: the task holds a message coscale does not know of yet, the window in which a scale-in
 * or deployment must still not stop it. Written {@code "min-max"} or {@code "n"} in milliseconds.
 *
 * @param minMillis the shortest wait, at least 0
 * @param maxMillis the longest wait, at least {@code minMillis}
 */
record ClaimDelay(long minMillis, long maxMillis) {

    static final ClaimDelay NONE = new ClaimDelay(0, 0);

    ClaimDelay {
        if (minMillis < 0 || maxMillis < minMillis) {
            throw new IllegalArgumentException("claim delay must be 0 <= min <= max, got " + minMillis + "-" + maxMillis);
        }
    }

    /**
     * Parses {@code "200-1500"} or {@code "300"}; null or blank is no delay.
     *
     * @throws IllegalArgumentException for anything else
     */
    static ClaimDelay parse(String text) {
        if (text == null || text.isBlank()) {
            return NONE;
        }
        String trimmed = text.trim();
        int dash = trimmed.indexOf('-', 1);
        try {
            if (dash < 0) {
                long millis = Long.parseLong(trimmed);
                return new ClaimDelay(millis, millis);
            }
            return new ClaimDelay(Long.parseLong(trimmed.substring(0, dash).trim()),
                    Long.parseLong(trimmed.substring(dash + 1).trim()));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("claim delay must be \"min-max\" or a number of milliseconds, got '"
                    + text + "'", e);
        }
    }

    /** A wait drawn uniformly from the range. */
    long pickMillis() {
        return minMillis == maxMillis ? minMillis : ThreadLocalRandom.current().nextLong(minMillis, maxMillis + 1);
    }
}
