package io.coscale.concurrent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.concurrent.CompletionException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AttemptsTest {

    /** A failed attempt: refused (surely not applied), maybe applied, or a failure that does not say. */
    private static RuntimeException failure(String kind) {
        return switch (kind) {
            case "refused" -> new Failure(false);
            case "maybe" -> new Failure(true);
            case "unsaid" -> new IllegalStateException("a failure that does not say");
            default -> throw new IllegalArgumentException(kind);
        };
    }

    private static final class Failure extends RuntimeException implements TransientFailure {

        private final boolean maybeApplied;
        private final boolean marked;

        Failure(boolean maybeApplied) {
            this(maybeApplied, false);
        }

        private Failure(boolean maybeApplied, boolean marked) {
            super(maybeApplied ? "maybe applied" : "refused");
            this.maybeApplied = maybeApplied;
            this.marked = marked;
        }

        @Override
        public boolean isTransient() {
            return true;
        }

        @Override
        public boolean maybeApplied() {
            return maybeApplied;
        }

        @Override
        public Failure maybeAppliedEarlier() {
            return maybeApplied ? this : new Failure(true, true);
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            # row                                     | earlier attempts  | last    | call maybe applied | last marked
            one refused attempt                       |                   | refused | false | false
            one attempt that may have been applied    |                   | maybe   | true  | false
            one attempt that does not say             |                   | unsaid  | true  | false
            refused after refused                     | refused refused   | refused | false | false
            refused after one maybe applied           | maybe             | refused | true  | true
            refused after maybe, then refused         | maybe refused     | refused | true  | true
            maybe after refused                       | refused           | maybe   | true  | false
            maybe after maybe                         | maybe             | maybe   | true  | false
            refused after one that does not say       | unsaid            | refused | true  | true
            unsaid after one maybe applied            | maybe             | unsaid  | true  | false
            """)
    void aCallIsAsUncertainAsItsMostUncertainAttempt(String row, String earlier, String last, boolean maybeApplied,
            boolean marked) {
        Attempts attempts = Attempts.NONE;
        for (String kind : earlier == null ? new String[0] : earlier.split(" ")) {
            attempts = attempts.after(failure(kind));
        }
        RuntimeException lastFailure = failure(last);
        Throwable call = attempts.failure(new CompletionException(lastFailure));

        assertEquals(maybeApplied, Attempts.maybeApplied(call), row);
        assertEquals(maybeApplied, attempts.after(lastFailure).maybeApplied(), row);
        if (marked) {
            assertEquals(Boolean.TRUE, ((Failure) call).marked, row);
        } else {
            assertSame(lastFailure, call, row);
        }
    }
}
