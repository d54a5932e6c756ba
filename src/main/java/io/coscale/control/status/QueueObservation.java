package io.coscale.control.status;

import io.coscale.domain.QueueDepth;

/**
 * What status reads of a pool's queue: its depth, and its dead-letter queue's.
 *
 * @param deadLetterQueueUrl the dead-letter queue the redrive policy names; null without a redrive policy
 * @param deadLetterVisible the jobs waiting in it; null without one, or when it could not be read
 */
record QueueObservation(QueueDepth depth, String deadLetterQueueUrl, Long deadLetterVisible) {
}
