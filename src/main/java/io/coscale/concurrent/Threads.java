package io.coscale.concurrent;

import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/** The one way coscale sets up its own threads. */
public final class Threads {

    private Threads() {
    }

    /**
     * Daemon threads named {@code name-1}, {@code name-2}, …: none of them keeps the JVM alive, and a thread dump
     * says whose each is.
     */
    public static ThreadFactory daemon(String name) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
