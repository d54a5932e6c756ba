package io.coscale.domain;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * How a pool keeps busy workers safe from ECS scale-in.
 *
 * <p>{@link #PROTECT} is the default: busy tasks hold ECS task scale-in protection, and a releasing task is
 * unprotected before {@code desiredCount} is lowered, so ECS can only stop idle tasks. {@link #COOPERATIVE}
 * is the original pattern with no protection calls: the worker exits right after the decrement and relies
 * on ECS noticing the stopped task before it picks a victim of its own.
 */
public enum Mode {
    PROTECT("protect"),
    COOPERATIVE("cooperative");

    private final String wireName;

    Mode(String wireName) {
        this.wireName = wireName;
    }

    /** The name used in configuration and JSON: {@code "protect"} or {@code "cooperative"}. Never null. */
    public String wireName() {
        return wireName;
    }

    /**
     * Parses a wire name, ignoring case and surrounding blanks.
     *
     * @throws IllegalArgumentException if {@code value} is null or not one of the wire names; the message
     *     lists the allowed values so that a misconfigured pool is easy to fix
     */
    public static Mode parse(String value) {
        if (value != null) {
            String v = value.strip().toLowerCase(Locale.ROOT);
            for (Mode m : values()) {
                if (m.wireName.equals(v)) {
                    return m;
                }
            }
        }
        throw new IllegalArgumentException("unknown mode '" + value + "': allowed values are " + allowed());
    }

    private static String allowed() {
        return Arrays.stream(values()).map(Mode::wireName).collect(Collectors.joining(", "));
    }

    @Override
    public String toString() {
        return wireName;
    }
}
