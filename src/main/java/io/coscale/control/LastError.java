package io.coscale.control;

import io.coscale.concurrent.Futures;
import io.coscale.domain.Event;
import io.coscale.domain.Pool;
import org.jboss.logging.Logger;

/** A pool's last error (used inside {@link PoolState} only): kept until a reconcile pass goes through. */
final class LastError {

    private static final Logger LOG = Logger.getLogger(PoolState.class);

    private final Pool pool;
    private final ControlContext ctx;
    private final EventLog events;
    // @GuardedBy("this")
    private String message;

    LastError(Pool pool, ControlContext ctx, EventLog events) {
        this.pool = pool;
        this.ctx = ctx;
        this.events = events;
    }

    /** Records a failure as the pool's lastError and, when it differs from the last one, as an event. Never throws. */
    void failed(String what, Throwable e) {
        ctx.metrics().poolFailed(pool.name(), what);
        Throwable cause = Futures.cause(e);
        String now = what + ": " + (cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage());
        boolean isNew;
        synchronized (this) {
            isNew = !now.equals(message);
            message = now;
        }
        if (isNew) {
            LOG.warnf("pool %s: %s", pool.name(), now);
            events.add(Event.error(ctx.clock().instant(), now));
        }
    }

    synchronized void clear() {
        message = null;
    }

    synchronized String message() {
        return message;
    }
}
