package io.coscale;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.function.Supplier;

/** A UTC clock for tests: a source of instants (a fixed start, the wall clock, a simulation's), moved ahead by hand. */
public final class TestClock extends Clock {

    private final Supplier<Instant> source;
    private volatile Duration ahead = Duration.ZERO;

    /** A clock that reads {@code source}, then {@link #advance}s ahead of it. */
    public TestClock(Supplier<Instant> source) {
        this.source = source;
    }

    /** A clock standing at {@code start} until it is advanced. */
    public static TestClock at(String start) {
        Instant at = Instant.parse(start);
        return new TestClock(() -> at);
    }

    /** Moves the clock ahead by {@code by}. */
    public void advance(Duration by) {
        ahead = ahead.plus(by);
    }

    @Override
    public Instant instant() {
        return source.get().plus(ahead);
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        return this;
    }
}
