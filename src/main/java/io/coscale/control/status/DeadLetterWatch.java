package io.coscale.control.status;

import io.coscale.control.PoolController;
import io.coscale.domain.Arns;
import io.coscale.aws.AwsCallException;
import io.coscale.domain.Event;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.logging.Logger;

/**
 * Makes failed jobs visible: each reading of a pool's dead-letter queue sets the pool's
 * {@code coscale_dead_letter_messages} gauge, and a reading that is higher than the one before adds a
 * {@code dead-letter} event saying by how many. A job that fails until SQS moves it aside is otherwise silent: the
 * pool simply has one job less to do.
 */
@Singleton
public class DeadLetterWatch {

    private static final Logger LOG = Logger.getLogger(DeadLetterWatch.class);

    private final MeterRegistry registry;
    private final Clock clock = Clock.systemUTC();
    // @GuardedBy("this"); per pool name, the depth last read.
    private final Map<String, Long> depths = new HashMap<>();
    // "<pool> <dead-letter queue URL>" already warned of as refused.
    private final Set<String> deniedQueues = ConcurrentHashMap.newKeySet();

    public DeadLetterWatch(MeterRegistry registry) {
        this.registry = registry;
    }

    /** Records a reading of {@code pool}'s dead-letter queue, and an event when it grew. */
    void observed(PoolController pool, String deadLetterQueueUrl, long visible) {
        String name = pool.pool().name();
        Long before;
        synchronized (this) {
            before = depths.put(name, visible);
        }
        if (registry.find("coscale.dead.letter.messages").tag("pool", name).gauge() == null) {
            // First reading (or the first since the pool was redefined, which removes its meters): the gauge only
            // exists for pools that have a dead-letter queue.
            Gauge.builder("coscale.dead.letter.messages", this, w -> w.depth(name))
                    .description("Jobs waiting in the pool's dead-letter queue (named by its queue's redrive policy): "
                            + "jobs that failed maxReceiveCount times. Read at least every coscale.status.sample-interval")
                    .tag("pool", name).register(registry);
        }
        growth(before, visible, Arns.lastSegment(deadLetterQueueUrl))
                .ifPresent(reason -> pool.events().add(Event.deadLetter(clock.instant(), reason)));
    }

    /**
     * Reports a dead-letter queue that could not be read. A refusal (AccessDenied: the role lacks
     * {@code sqs:GetQueueAttributes} on it) will not pass by itself and leaves failed jobs unseen, so it is a WARN, once
     * per pool and queue; anything else (a timeout, throttling) is retried on the next reading and only logged at DEBUG.
     *
     * @return whether this call logged the WARN
     */
    boolean unreadable(String pool, String deadLetterQueueUrl, RuntimeException e) {
        boolean refused = e instanceof AwsCallException call && call.errorCode() != null
                && call.errorCode().contains("AccessDenied");
        if (refused && deniedQueues.add(pool + " " + deadLetterQueueUrl)) {
            LOG.warnf("pool %s: dead-letter queue %s cannot be read (%s): its failed jobs stay unseen (no "
                    + "deadLetter.visible, coscale_dead_letter_messages or dead-letter events) until coscale's role "
                    + "may sqs:GetQueueAttributes on it", pool, deadLetterQueueUrl, e.getMessage());
            return true;
        }
        LOG.debugf("status: dead-letter queue %s of pool %s could not be read: %s", deadLetterQueueUrl, pool,
                e.getMessage());
        return false;
    }

    private synchronized double depth(String pool) {
        Long depth = depths.get(pool);
        return depth == null ? Double.NaN : depth;
    }

    /**
     * The event's reason when a dead-letter queue holds more than it did, else empty. The first reading (at start-up)
     * reports what waits there, so that a restart does not hide it; a shrinking queue (someone redrove or purged it)
     * is no news.
     */
    static Optional<String> growth(Long before, long now, String queueName) {
        if (before == null) {
            return now > 0 ? Optional.of(jobs(now, "") + " waiting in dead-letter queue " + queueName + " at start-up")
                    : Optional.empty();
        }
        if (now <= before) {
            return Optional.empty();
        }
        return Optional.of(jobs(now - before, "more ") + " in dead-letter queue " + queueName + " (" + now + " now)");
    }

    private static String jobs(long n, String more) {
        return n + " " + more + "failed job" + (n == 1 ? "" : "s");
    }
}
