package io.coscale.domain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

class ModeTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            protect      | PROTECT
            PROTECT      | PROTECT
            '  Protect ' | PROTECT
            cooperative  | COOPERATIVE
            CoOperative  | COOPERATIVE
            """)
    void parsesWireNamesIgnoringCaseAndBlanks(String input, Mode expected) {
        assertEquals(expected, Mode.parse(input));
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {"protected", "coop", "PROTECT_MODE", " "})
    void rejectsAnythingElseListingTheAllowedValues(String input) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Mode.parse(input));
        assertTrue(e.getMessage().contains("protect, cooperative"), e.getMessage());
    }

    @Test
    void wireNamesRoundTrip() {
        assertEquals("protect", Mode.PROTECT.wireName());
        assertEquals("cooperative", Mode.COOPERATIVE.wireName());
        for (Mode m : Mode.values()) {
            assertEquals(m, Mode.parse(m.wireName()));
        }
    }
}
