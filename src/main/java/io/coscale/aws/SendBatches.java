package io.coscale.aws;

import io.coscale.domain.OutgoingMessage;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.ToIntFunction;

/**
 * How jobs are cut into SendMessageBatch requests: at most {@link #MAX_ENTRIES} entries and at most
 * {@link #MAX_BYTES} of payload per request, where SQS counts the payload as every entry's body plus each of its
 * message attributes' name, type and value. SQS refuses a request over either limit as a whole
 * ({@code TooManyEntriesInBatchRequest}, {@code BatchRequestTooLong}), so ten 100 KiB jobs must not share one.
 *
 * <p>Why 256 KiB when AWS now documents 1 MiB for both a message and a batch: the 1 MiB figure is recent, older
 * SQS-compatible servers (ElasticMQ, which local mode runs) and much of AWS's own reference still state 256 KiB,
 * and a queue's {@code MaximumMessageSize} still defaults to 256 KiB. Cutting at 256 KiB is accepted everywhere and
 * costs extra requests only when jobs average more than about 25 KiB. A single entry above 256 KiB (the payload
 * limit is configurable up to 1 MiB) goes alone, in a batch of one, where only the per-message limit applies.
 */
public final class SendBatches {

    /** SQS's most entries per SendMessageBatch. */
    public static final int MAX_ENTRIES = 10;
    /** The request payload coscale cuts at (256 KiB), whatever a newer SQS would allow. */
    public static final int MAX_BYTES = 256 * 1024;

    private static final String STRING_TYPE = "String";

    private SendBatches() {
    }

    /** The messages cut into requests SQS accepts: order kept, no request over either limit unless alone in it. */
    public static List<List<OutgoingMessage>> of(List<OutgoingMessage> messages) {
        return split(messages, SendBatches::bytes, MAX_ENTRIES, MAX_BYTES);
    }

    /**
     * Cuts {@code items} into consecutive runs of at most {@code maxEntries} whose {@code bytes} sum to at most
     * {@code maxBytes}; an item larger than {@code maxBytes} on its own forms a run of one. Order is kept and every
     * item appears exactly once.
     */
    static <T> List<List<T>> split(List<T> items, ToIntFunction<? super T> bytes, int maxEntries, int maxBytes) {
        List<List<T>> batches = new ArrayList<>();
        List<T> batch = new ArrayList<>();
        long batchBytes = 0;
        for (T item : items) {
            int size = bytes.applyAsInt(item);
            if (!batch.isEmpty() && (batch.size() == maxEntries || batchBytes + size > maxBytes)) {
                batches.add(batch);
                batch = new ArrayList<>();
                batchBytes = 0;
            }
            batch.add(item);
            batchBytes += size;
        }
        if (!batch.isEmpty()) {
            batches.add(batch);
        }
        return batches;
    }

    /** The bytes SQS counts for one message: its body and, for each attribute, name, type and value. */
    public static int bytes(OutgoingMessage message) {
        int bytes = utf8(message.body()) + attribute(OutgoingMessage.JOB_ID_ATTRIBUTE, message.jobId());
        for (var a : message.attributes().entrySet()) {
            bytes += attribute(a.getKey(), a.getValue());
        }
        return bytes;
    }

    private static int attribute(String name, String value) {
        // QueueGateway sends every attribute as a String.
        return utf8(name) + STRING_TYPE.length() + utf8(value);
    }

    private static int utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8).length;
    }
}
