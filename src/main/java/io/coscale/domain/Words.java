package io.coscale.domain;

/** Small helpers for the human sentences in decisions and events, so "1 message" never reads "1 messages". */
public final class Words {

    private Words() {
    }

    /** {@code "1 message"}, {@code "3 messages"}: the count followed by the word, plural unless the count is 1. */
    public static String count(long n, String singular) {
        return n + " " + (n == 1 ? singular : singular + "s");
    }
}
