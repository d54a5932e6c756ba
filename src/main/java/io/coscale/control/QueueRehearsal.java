package io.coscale.control;

import io.coscale.aws.SqsRehearsal;
import io.coscale.concurrent.Threads;
import io.coscale.domain.OutgoingMessage;
import io.coscale.domain.SendOutcome;
import io.vertx.core.Vertx;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

/**
 * Sends jobs as the {@link Intake} sends them (merged into SendMessageBatch calls by a {@link QueueSender} of its own,
 * on {@link io.coscale.aws.SqsWire}) to a stand-in for SQS on a loopback port ({@link SqsRehearsal}), and counts them
 * toward no pool: a replica's warm-up runs the send path before it takes traffic, and no pool's count, no queue and
 * nothing in ECS changes.
 */
public final class QueueRehearsal implements AutoCloseable {

    private final SqsRehearsal standIn;
    private final ScheduledExecutorService timer;
    private final QueueSender sender;

    private QueueRehearsal(SqsRehearsal standIn) {
        this.standIn = standIn;
        // Withdraws a job that waited its turn too long, as the intake's timer does.
        this.timer = Executors.newSingleThreadScheduledExecutor(Threads.daemon("coscale-warm-up"));
        this.sender = new QueueSender(standIn.wire()::sendBatch, timer);
    }

    /** Starts the stand-in and a sender to it; the future fails if the stand-in cannot listen. */
    public static CompletableFuture<QueueRehearsal> start(Vertx vertx) {
        return SqsRehearsal.start(vertx).thenApply(QueueRehearsal::new);
    }

    /** The jobs' outcomes, in order, as {@link Intake} gets them from its sender. */
    public CompletableFuture<List<SendOutcome>> send(String queueUrl, List<OutgoingMessage> jobs) {
        return sender.send(queueUrl, jobs);
    }

    @Override
    public void close() {
        standIn.close();
        timer.shutdownNow();
    }
}
