package io.coscale.domain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Instant;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class EventTest {

    private static final Instant AT = Instant.parse("2025-01-02T03:04:05Z");

    @ParameterizedTest
    @CsvSource({"SCALE_UP, scale-up", "RELEASE, release", "RECONCILE, reconcile", "PROTECTION, protection",
        "ERROR, error", "DEAD_LETTER, dead-letter"})
    void wireNamesAreLowerKebab(Event.Kind kind, String wire) {
        assertEquals(wire, kind.wireName());
    }

    @Test
    void countFactoriesCarryFromAndTo() {
        assertEquals(new Event(AT, Event.Kind.SCALE_UP, 1, 5, "r"), Event.scaleUp(AT, 1, 5, "r"));
        assertEquals(new Event(AT, Event.Kind.RELEASE, 4, 3, "r"), Event.release(AT, 4, 3, "r"));
        assertEquals(new Event(AT, Event.Kind.RECONCILE, 9, 8, "r"), Event.reconcile(AT, 9, 8, "r"));
    }

    @Test
    void protectionEventsCarryTheCountTheyLeaveUnchangedErrorsNone() {
        Event p = Event.protection(AT, 3, "protected task abc for 60 min");
        Event e = Event.error(AT, "UpdateService failed");
        Event d = Event.deadLetter(AT, "1 more failed job in dead-letter queue demo-dlq (1 now)");
        assertEquals(Event.Kind.PROTECTION, p.kind());
        assertEquals(Event.Kind.ERROR, e.kind());
        assertEquals(3, p.from());
        assertEquals(3, p.to());
        assertNull(e.from());
        assertNull(e.to());
        assertEquals(Event.Kind.DEAD_LETTER, d.kind());
        assertNull(d.from());
    }

    @Test
    void requiresTimeKindAndReason() {
        assertThrows(NullPointerException.class, () -> Event.error(null, "r"));
        assertThrows(NullPointerException.class, () -> Event.error(AT, null));
        assertThrows(NullPointerException.class, () -> new Event(AT, null, null, null, "r"));
    }
}
