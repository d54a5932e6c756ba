package io.coscale.aws;

import io.coscale.domain.QueueDepth;
import java.util.Optional;

/**
 * One GetQueueAttributes answer about a pool's queue: its depth, and where its redrive policy sends failed messages.
 *
 * @param deadLetterQueueUrl the dead-letter queue's URL; empty when the queue has no redrive policy
 */
public record QueueReading(QueueDepth depth, Optional<String> deadLetterQueueUrl) {
}
