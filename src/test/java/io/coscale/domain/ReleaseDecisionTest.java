package io.coscale.domain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ReleaseDecisionTest {

    @ParameterizedTest
    @CsvSource({"EXIT, exit", "CONTINUE, continue", "STAY, stay"})
    void wireNames(ReleaseDecision.Kind kind, String wire) {
        assertEquals(wire, kind.wireName());
    }

    @Test
    void factoriesSetTheKind() {
        assertEquals(ReleaseDecision.Kind.EXIT, ReleaseDecision.exit(3, "r").kind());
        assertEquals(ReleaseDecision.Kind.CONTINUE, ReleaseDecision.continueWorking(4, "r").kind());
        assertEquals(ReleaseDecision.Kind.STAY, ReleaseDecision.stay(0, "r").kind());
        assertEquals(3, ReleaseDecision.exit(3, "r").desiredCount());
    }

    @Test
    void rejectsNegativeCountBlankReasonAndNullKind() {
        assertThrows(IllegalArgumentException.class, () -> ReleaseDecision.exit(-1, "r"));
        assertThrows(IllegalArgumentException.class, () -> ReleaseDecision.stay(1, " "));
        assertThrows(NullPointerException.class, () -> new ReleaseDecision(null, 1, "r"));
    }
}
