package io.coscale.control;

import io.coscale.aws.ServiceState;
import io.coscale.concurrent.Futures;
import io.coscale.concurrent.TransientFailure;
import io.coscale.config.PoolDataConfig;
import io.coscale.domain.Arns;
import io.coscale.domain.Pool;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * What a pool defined through the API must be before it is stored: inside the naming convention the stack's IAM policy
 * grants (queue and service name prefixes, the cluster), its queue there and readable with the FIFO-ness its name
 * says, its service there and ACTIVE in its cluster. A pool that fails is refused with the reason; one that passes
 * would work on its first reconcile.
 */
final class PoolChecks {

    private static final Duration WAIT = Duration.ofSeconds(10);

    private final ControlContext ctx;
    private final PoolDataConfig config;

    PoolChecks(ControlContext ctx, PoolDataConfig config) {
        this.ctx = ctx;
        this.config = config;
    }

    /** The first reason {@code pool} cannot be managed, or empty when it can. */
    Optional<String> refusal(Pool pool) {
        return naming(pool, config.queuePrefix(), config.servicePrefix(), config.cluster()).or(() -> queue(pool))
                .or(() -> service(pool));
    }

    /** Whether the pool keeps to the naming convention: pure, so that it is table-tested on its own. */
    static Optional<String> naming(Pool pool, Optional<String> queuePrefix, Optional<String> servicePrefix,
            Optional<String> cluster) {
        String queue = Arns.lastSegment(pool.queueUrl());
        if (queuePrefix.isPresent() && !queue.startsWith(queuePrefix.get())) {
            return Optional.of("queue " + queue + " is outside coscale.pool-data.queue-prefix '" + queuePrefix.get()
                    + "': coscale's role may not read it (the stack grants the queues under PoolQueuePrefix)");
        }
        String service = Arns.lastSegment(pool.service());
        if (servicePrefix.isPresent() && !service.startsWith(servicePrefix.get())) {
            return Optional.of("service " + service + " is outside coscale.pool-data.service-prefix '"
                    + servicePrefix.get() + "': coscale's role may not scale it (the stack grants the services under"
                    + " PoolServicePrefix)");
        }
        if (cluster.isPresent() && !Arns.lastSegment(pool.cluster()).equals(Arns.lastSegment(cluster.get()))) {
            return Optional.of("cluster " + pool.cluster() + " is not coscale.pool-data.cluster '" + cluster.get()
                    + "': coscale's role may not scale services there (the stack grants PoolCluster's)");
        }
        return Optional.empty();
    }

    private Optional<String> queue(Pool pool) {
        boolean fifo;
        try {
            fifo = await(ctx.sqs(queues -> queues.isFifoQueue(pool.queueUrl())));
        } catch (RuntimeException e) {
            unavailableIfTransient("SQS", e);
            return Optional.of("queue " + pool.queueUrl() + " cannot be read (GetQueueAttributes): " + e.getMessage());
        }
        if (fifo != Pool.isFifo(pool.queueUrl())) {
            return Optional.of("queue " + pool.queueUrl() + (fifo ? " is a FIFO queue but its URL does not end in .fifo"
                    : " ends in .fifo but SQS does not call it a FIFO queue (FifoQueue)"));
        }
        return Optional.empty();
    }

    private Optional<String> service(Pool pool) {
        List<ServiceState> found;
        try {
            found = await(ctx.ecsRead(ecs -> ecs.describeServices(pool.cluster(), List.of(pool.service()))));
        } catch (RuntimeException e) {
            unavailableIfTransient("ECS", e);
            return Optional.of("service " + pool.service() + " in cluster " + pool.cluster()
                    + " cannot be described (DescribeServices): " + e.getMessage());
        }
        String name = Arns.lastSegment(pool.service());
        if (found.stream().noneMatch(s -> s.service().equals(name) && s.active())) {
            return Optional.of("service " + pool.service() + " not found (or not ACTIVE) in cluster " + pool.cluster());
        }
        return Optional.empty();
    }

    /** Throttling, a 5xx or no answer says nothing of the pool: the caller is told to try again, not that it is wrong. */
    private static void unavailableIfTransient(String service, RuntimeException e) {
        if (e instanceof TransientFailure failure && failure.isTransient() || e instanceof IllegalStateException) {
            throw new PoolEditor.Unavailable(service + " did not answer the pool's check: " + e.getMessage());
        }
    }

    private static <T> T await(java.util.concurrent.CompletableFuture<T> call) {
        try {
            return Futures.await(call, WAIT);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("no answer within " + WAIT, e);
        } catch (Exception e) {
            throw Futures.unchecked(e);
        }
    }
}
