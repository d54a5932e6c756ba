package io.coscale.control;

import io.coscale.aws.AwsCallException;
import io.coscale.aws.SendBatches;
import io.coscale.concurrent.Futures;
import io.coscale.domain.OutgoingMessage;
import io.coscale.domain.Pool;
import io.coscale.domain.SendOutcome;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;

/**
 * Sends jobs, merging those that arrive together into SendMessageBatch calls: under load one SQS request carries up
 * to ten jobs (a tenth of the SQS requests, and of their cost), while a lone job still goes out at once. The gateway
 * cuts each merged batch by SQS's byte limit too, so a large job goes alone. Nothing here waits: {@link #send}
 * returns a future, completed by the thread that made the call (see {@link BatchCall}).
 *
 * <p>Per queue, up to {@link #MAX_IN_FLIGHT} calls are in flight at once; a FIFO queue gets one, so its jobs keep
 * their order. One rule, {@link #startsCall}, says when a call starts: when a call ends, the next starts with
 * whatever waits; an arriving job starts one (with whatever waits beside it) while fewer than
 * {@link #callsWithoutWaiting} calls are in flight, or when a full batch of ten waits; otherwise it waits for a call
 * to end. That bound weighs a wait against a call. By Little's law, K calls in flight that take {@code rtt} each end
 * one about every {@code rtt / K}: so K is the SQS round trip in milliseconds, and a job waits about a millisecond at
 * most, or starts a call. The round trip is the shortest recent call ({@link #rttFloor}), which queueing in coscale
 * or in SQS does not lengthen. Against the embedded SQS (calls well under 2 ms) K is 1: a job waits for the call in
 * flight, which costs it less than a millisecond and saves the machine a call (more calls measured more CPU per
 * job). Against AWS's SQS (about 10 ms) K is {@link #MAX_CALLS_WITHOUT_WAITING}: a job no longer waits a round trip
 * for the call in flight and then its own. With N submitters in a closed loop the calls in flight carry
 * {@code N / inFlight} jobs each: at 16 connections about 2, while at 64 the 8 calls that may start part-empty leave
 * most jobs to wait for a call's end and go ten at a time, under 0.2 SQS requests per job (with a bound of 16,
 * modelled, about 0.3).
 *
 * <p>The promise: a job's outcome says SQS accepted it only when SQS did, and says {@link SendOutcome#neverSent()}
 * only when the job was never handed to SQS. A job waits its turn at most {@code queueWait}; if its turn has not
 * come by then, a timer withdraws it. Taking a job for a call and withdrawing it both remove it from its queue under
 * the queue's lock, so a job is never both withdrawn and sent. A job already in flight is not abandoned: its outcome
 * is SQS's answer, which the SDK's own timeouts bound. At most {@code maxQueued} jobs wait their turn; beyond that a
 * submission is refused at once, as a whole, with {@link NotEnqueuedException}.
 */
final class QueueSender {

    /**
     * Calls in flight per standard queue: as many as the SQS threads (16 by default), so that full batches (a
     * jobs:batch, or single jobs under load) are not held behind a few calls, while the merging rule keeps batches
     * full whatever the bound.
     */
    static final int MAX_IN_FLIGHT = 16;
    /**
     * The most calls in flight beside which an arriving job may still start one without a full batch: enough that at
     * AWS's round trip few jobs wait, few enough that under load most calls go full (see the class comment).
     */
    static final int MAX_CALLS_WITHOUT_WAITING = 8;
    /** About how long a job may wait for a call to end rather than start its own: see the class comment. */
    static final long WAIT_BUDGET_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
    /** How long a job may wait for its turn before it is withdrawn. */
    static final Duration QUEUE_WAIT = Duration.ofSeconds(10);
    /** Jobs waiting their turn, across queues, beyond which a submission is refused. */
    static final int MAX_QUEUED = 2_000;

    /**
     * One SendMessageBatch (or several, cut by bytes), started now and answered later: an outcome per message, in
     * order. The caller's thread must not wait for SQS.
     */
    @FunctionalInterface
    interface BatchCall {
        CompletableFuture<List<SendOutcome>> send(String queueUrl, List<OutgoingMessage> messages);
    }

    private record Job(OutgoingMessage message, long deadline, CompletableFuture<SendOutcome> outcome) {
    }

    /** One queue's jobs waiting their turn, and its calls in flight. */
    private final class Lane {
        final String queueUrl;
        final int maxInFlight;
        // @GuardedBy("this")
        final ArrayDeque<Job> waiting = new ArrayDeque<>();
        // @GuardedBy("this")
        int inFlight;
        // @GuardedBy("this"): a withdrawal timer is set for the oldest waiting job.
        boolean timerSet;
        // @GuardedBy("this"): the shortest recent call, in nanoseconds ({@link #rttFloor}).
        long rttFloor;

        Lane(String queueUrl) {
            this.queueUrl = queueUrl;
            this.maxInFlight = Pool.isFifo(queueUrl) ? 1 : MAX_IN_FLIGHT;
        }

        /** The batches to send now, taken from the head (so in order), as {@link #startsCall} says. */
        // @GuardedBy("this")
        List<List<Job>> take(boolean callEnded) {
            List<List<Job>> batches = null;
            boolean next = callEnded;
            int withoutWaiting = callsWithoutWaiting(rttFloor);
            while (startsCall(inFlight, maxInFlight, withoutWaiting, waiting.size(), next)) {
                List<Job> batch = new ArrayList<>(Math.min(waiting.size(), SendBatches.MAX_ENTRIES));
                while (batch.size() < SendBatches.MAX_ENTRIES && !waiting.isEmpty()) {
                    batch.add(waiting.poll());
                }
                queued.addAndGet(-batch.size());
                inFlight++;
                next = false;
                if (batches == null) {
                    batches = new ArrayList<>(2);
                }
                batches.add(batch);
            }
            return batches == null ? List.of() : batches;
        }
    }

    /**
     * Whether a call starts now with what waits: while jobs wait and calls are free, the first at the end of a call
     * ({@code callEnded}), and any while fewer than {@code withoutWaiting} are in flight or a full batch waits.
     */
    static boolean startsCall(int inFlight, int maxInFlight, int withoutWaiting, int waiting, boolean callEnded) {
        return waiting > 0 && inFlight < maxInFlight
                && (callEnded || inFlight < withoutWaiting || waiting >= SendBatches.MAX_ENTRIES);
    }

    /**
     * How many calls may be in flight beside which an arriving job still starts its own: the shortest recent call
     * in {@link #WAIT_BUDGET_NANOS}, between 1 and {@link #MAX_CALLS_WITHOUT_WAITING} (1 before any call ended).
     */
    static int callsWithoutWaiting(long rttFloorNanos) {
        return (int) Math.max(1, Math.min(MAX_CALLS_WITHOUT_WAITING, rttFloorNanos / WAIT_BUDGET_NANOS));
    }

    /**
     * The shortest recent call, after one more of {@code callNanos}: a shorter one sets it at once, a longer one
     * raises it by a 64th of the difference, so that it follows SQS when SQS gets slower but not the queueing of a
     * busy moment (0: no call ended yet).
     */
    static long rttFloor(long floorNanos, long callNanos) {
        return floorNanos == 0 || callNanos < floorNanos ? callNanos : floorNanos + (callNanos - floorNanos) / 64;
    }

    private final BatchCall call;
    /** Told the size of each call as it starts (the jobs-per-call figure). */
    private final IntConsumer callSizes;
    private final ScheduledExecutorService timer;
    private final Duration queueWait;
    private final int maxQueued;
    private final ConcurrentHashMap<String, Lane> lanes = new ConcurrentHashMap<>();
    /** Jobs waiting their turn, across queues: what memory holds. */
    private final AtomicInteger queued = new AtomicInteger();

    QueueSender(BatchCall call, ScheduledExecutorService timer) {
        this(call, jobs -> { }, timer, QUEUE_WAIT, MAX_QUEUED);
    }

    QueueSender(BatchCall call, ScheduledExecutorService timer, Duration queueWait, int maxQueued) {
        this(call, jobs -> { }, timer, queueWait, maxQueued);
    }

    /**
     * @param call makes one SendMessageBatch; it answers by completing its future, and is never handed anything to call
     *        back
     * @param callSizes told the number of jobs of each call as it starts
     */
    QueueSender(BatchCall call, IntConsumer callSizes, ScheduledExecutorService timer, Duration queueWait, int maxQueued) {
        this.call = call;
        this.callSizes = callSizes;
        this.timer = timer;
        this.queueWait = queueWait;
        this.maxQueued = maxQueued;
    }

    /**
     * Enqueues jobs on one queue. The future completes with an outcome per job, in order, once each was accepted,
     * refused or withdrawn; it fails with {@link NotEnqueuedException} (and nothing is enqueued) when the send queue
     * has no room for all of them.
     */
    CompletableFuture<List<SendOutcome>> send(String queueUrl, List<OutgoingMessage> messages) {
        if (queued.addAndGet(messages.size()) > maxQueued) {
            queued.addAndGet(-messages.size());
            return CompletableFuture.failedFuture(new NotEnqueuedException("coscale's send queue is full (" + maxQueued
                    + " jobs wait for SQS): nothing was enqueued"));
        }
        Lane lane = lanes.computeIfAbsent(queueUrl, Lane::new);
        long deadline = System.nanoTime() + queueWait.toNanos();
        List<CompletableFuture<SendOutcome>> outcomes = new ArrayList<>(messages.size());
        List<List<Job>> batches;
        boolean setTimer;
        synchronized (lane) {
            for (OutgoingMessage message : messages) {
                Job job = new Job(message, deadline, new CompletableFuture<>());
                lane.waiting.add(job);
                outcomes.add(job.outcome());
            }
            batches = lane.take(false);
            setTimer = !lane.waiting.isEmpty() && !lane.timerSet;
            lane.timerSet |= setTimer;
        }
        if (setTimer) {
            timer.schedule(() -> withdrawLate(lane), queueWait.toNanos(), TimeUnit.NANOSECONDS);
        }
        batches.forEach(batch -> start(lane, batch));
        return all(outcomes);
    }

    /** Jobs waiting their turn now. */
    int queued() {
        return queued.get();
    }

    private void start(Lane lane, List<Job> batch) {
        List<OutgoingMessage> messages = new ArrayList<>(batch.size());
        batch.forEach(job -> messages.add(job.message()));
        callSizes.accept(messages.size());
        long started = System.nanoTime();
        Futures.start(() -> call.send(lane.queueUrl, messages)).whenComplete((outcomes, failure) -> {
            long took = System.nanoTime() - started;
            for (int i = 0; i < batch.size(); i++) {
                batch.get(i).outcome().complete(failure == null ? outcomes.get(i) : failed(batch.get(i), failure));
            }
            List<List<Job>> next;
            synchronized (lane) {
                lane.inFlight--;
                lane.rttFloor = rttFloor(lane.rttFloor, took);
                next = lane.take(true);
            }
            next.forEach(b -> start(lane, b));
        });
    }

    /** A call that failed unexpectedly (the gateway reports SQS's failures as outcomes): SQS may have had the job. */
    private static SendOutcome failed(Job job, Throwable failure) {
        Throwable cause = Futures.cause(failure);
        AwsCallException e = cause instanceof AwsCallException a ? a
                : new AwsCallException("SendMessageBatch failed: " + cause, true, false, "InternalError", cause, true);
        return e.outcomeOf(job.message().jobId());
    }

    /** Withdraws the jobs whose wait is over, oldest first (deadlines grow along the queue), and sets the next timer. */
    private void withdrawLate(Lane lane) {
        List<Job> late = new ArrayList<>();
        long nextIn;
        long now = System.nanoTime();
        synchronized (lane) {
            while (!lane.waiting.isEmpty() && lane.waiting.peek().deadline() - now <= 0) {
                late.add(lane.waiting.poll());
            }
            queued.addAndGet(-late.size());
            nextIn = lane.waiting.isEmpty() ? -1 : lane.waiting.peek().deadline() - now;
            lane.timerSet = nextIn >= 0;
        }
        if (nextIn >= 0) {
            timer.schedule(() -> withdrawLate(lane), nextIn, TimeUnit.NANOSECONDS);
        }
        String why = "SQS was not asked within " + queueWait.toSeconds() + " s (coscale is busy): the job was withdrawn"
                + " and not enqueued";
        late.forEach(job -> job.outcome().complete(SendOutcome.notSent(job.message().jobId(), why)));
    }

    private static CompletableFuture<List<SendOutcome>> all(List<CompletableFuture<SendOutcome>> outcomes) {
        if (outcomes.size() == 1) {
            return outcomes.get(0).thenApply(List::of);
        }
        return CompletableFuture.allOf(outcomes.toArray(CompletableFuture[]::new))
                .thenApply(done -> outcomes.stream().map(CompletableFuture::join).toList());
    }
}
