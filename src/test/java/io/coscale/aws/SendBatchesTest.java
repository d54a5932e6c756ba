package io.coscale.aws;

import static org.assertj.core.api.Assertions.assertThat;

import io.coscale.domain.OutgoingMessage;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Cutting entries into SendMessageBatch requests: each row is entry sizes in, batches of sizes out. */
class SendBatchesTest {

    private static final int K = 1024;
    private static final int MAX = SendBatches.MAX_BYTES;

    static Stream<Arguments> rows() {
        return Stream.of(
                row("nothing, no request", sizes(), batches()),
                row("one small entry", sizes(1), batches(sizes(1))),
                row("ten small entries share one request", repeat(10, 1), batches(repeat(10, 1))),
                row("the eleventh starts a second", repeat(11, 1), batches(repeat(10, 1), sizes(1))),
                row("ten 100 KiB entries: two per request", repeat(10, 100 * K),
                        batches(repeat(2, 100 * K), repeat(2, 100 * K), repeat(2, 100 * K), repeat(2, 100 * K), repeat(2, 100 * K))),
                row("exactly the limit fits", sizes(MAX / 2, MAX / 2), batches(sizes(MAX / 2, MAX / 2))),
                row("one byte over starts a new request", sizes(MAX / 2, MAX / 2, 1), batches(sizes(MAX / 2, MAX / 2), sizes(1))),
                row("an entry of exactly the limit is alone", sizes(1, MAX, 1), batches(sizes(1), sizes(MAX), sizes(1))),
                row("a 1 MiB entry is alone and order is kept", sizes(5, 6, 1024 * K, 7, 8),
                        batches(sizes(5, 6), sizes(1024 * K), sizes(7, 8))),
                row("two large entries in a row are alone each", sizes(MAX + 1, MAX + 1), batches(sizes(MAX + 1), sizes(MAX + 1))),
                row("a small entry after a full-bytes request", sizes(200 * K, 56 * K, 1), batches(sizes(200 * K, 56 * K), sizes(1))),
                row("count and bytes together", sizes(1, 1, 1, 1, 1, 1, 1, 1, 1, 250 * K, 7 * K),
                        batches(sizes(1, 1, 1, 1, 1, 1, 1, 1, 1, 250 * K), sizes(7 * K))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rows")
    void entriesAreCutByCountAndBytesInOrder(String label, List<Integer> entries, List<List<Integer>> expected) {
        assertThat(SendBatches.split(entries, Integer::intValue, SendBatches.MAX_ENTRIES, MAX)).isEqualTo(expected);
    }

    @Test
    void aMessageCountsItsBodyAndEachAttributesNameTypeAndValue() {
        OutgoingMessage message = new OutgoingMessage("0123456789", "héllo", Map.of("k", "vé"), 0, Optional.empty());
        // body 6 bytes; coscale-job-id + String + 10; k + String + 3
        assertThat(SendBatches.bytes(message)).isEqualTo(6 + (14 + 6 + 10) + (1 + 6 + 3));
    }

    private static Arguments row(String label, List<Integer> entries, List<List<Integer>> expected) {
        return Arguments.of(label, entries, expected);
    }

    private static List<Integer> sizes(Integer... sizes) {
        return Arrays.asList(sizes);
    }

    private static List<Integer> repeat(int n, int size) {
        return Stream.generate(() -> size).limit(n).toList();
    }

    @SafeVarargs
    private static List<List<Integer>> batches(List<Integer>... batches) {
        return Arrays.asList(batches);
    }
}
