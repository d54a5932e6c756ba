package io.coscale.sim;

import io.coscale.TestClock;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.Set;
import java.util.HashSet;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Delayed;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The simulation's only thread and its virtual time. Work is handed to it through per-owner executors (a replica's
 * steps, ECS and SQS calls and timer are one owner; so are the lease, ECS's scheduler and each worker); it runs one
 * piece at a time, picking among the pieces that are ready by the seed, and moves the clock to the next timer only
 * when none is. So one seed decides every interleaving and a schedule replays exactly. A piece inherits the protocol
 * step ({@link #step()}) of the piece that handed it on, so that every ECS call knows which step made it.
 */
final class SimScheduler {

    /** Virtual time starts here (nanos 0). */
    static final Instant ORIGIN = Instant.parse("2026-12-06T00:00:00Z");

    private record Job(String owner, String step, Runnable work, long seq) {
    }

    private record Timed(long due, long seq, Job job) {
    }

    private final Random random;
    private final List<Job> ready = new ArrayList<>();
    private final PriorityQueue<Timed> timers = new PriorityQueue<>((a, b) -> a.due != b.due ? Long.compare(a.due, b.due)
            : Long.compare(a.seq, b.seq));
    private final Set<String> dead = new HashSet<>();
    private final List<Throwable> uncaught = new ArrayList<>();
    private long now;
    private long seq;
    private String step = "boot";

    SimScheduler(long seed) {
        this.random = new Random(seed);
    }

    long nanos() {
        return now;
    }

    Instant instant() {
        return ORIGIN.plusNanos(now);
    }

    Clock clock() {
        return new TestClock(this::instant);
    }

    Random random() {
        return random;
    }

    /** The protocol step the running piece belongs to. */
    String step() {
        return step;
    }

    List<Throwable> uncaught() {
        return uncaught;
    }

    /** Hands {@code work} on as a new protocol step of {@code owner}, ready now. */
    void start(String owner, String step, Runnable work) {
        if (!dead.contains(owner)) {
            ready.add(new Job(owner, step, work, seq++));
        }
    }

    /** As {@link #start}, due {@code delayNanos} from now. */
    void startLater(String owner, String step, long delayNanos, Runnable work) {
        if (!dead.contains(owner)) {
            timers.add(new Timed(now + Math.max(0, delayNanos), seq++, new Job(owner, step, work, seq++)));
        }
    }

    /** Everything {@code owner} was to do is dropped, and whatever it hands on from now on (a kill -9). */
    void kill(String owner) {
        dead.add(owner);
        ready.removeIf(j -> j.owner.equals(owner));
        timers.removeIf(t -> t.job.owner.equals(owner));
    }

    boolean alive(String owner) {
        return !dead.contains(owner);
    }

    /**
     * Runs one ready piece, chosen by the seed, or moves the clock to the next timer; false when nothing is left or
     * the clock would pass {@code horizonNanos}.
     */
    boolean runOne(long horizonNanos) {
        if (ready.isEmpty()) {
            Timed next = timers.peek();
            if (next == null || next.due > horizonNanos) {
                return false;
            }
            now = Math.max(now, next.due);
            while (!timers.isEmpty() && timers.peek().due <= now) {
                ready.add(timers.poll().job);
            }
        }
        Job job = ready.remove(random.nextInt(ready.size()));
        String outerStep = step;
        step = job.step;
        try {
            job.work.run();
        } catch (RuntimeException | Error e) {
            uncaught.add(e);
        } finally {
            step = outerStep;
        }
        return true;
    }

    /**
     * Lets {@code nanos} pass inside the running piece (a call that takes that long): the timers of the {@code steps}
     * due meanwhile run now, in time order — only pieces that touch no control path's locks (the lease's beats), so
     * that nothing runs inside a lock the piece holds.
     */
    void pass(long nanos, Set<String> steps) {
        long until = now + nanos;
        List<Timed> due = new ArrayList<>();
        for (Iterator<Timed> it = timers.iterator(); it.hasNext(); ) {
            Timed t = it.next();
            if (t.due <= until && steps.contains(t.job.step)) {
                due.add(t);
                it.remove();
            }
        }
        due.sort((a, b) -> a.due != b.due ? Long.compare(a.due, b.due) : Long.compare(a.seq, b.seq));
        for (Timed t : due) {
            now = Math.max(now, t.due);
            String outerStep = step;
            step = t.job.step;
            try {
                t.job.work.run();
            } finally {
                step = outerStep;
            }
        }
        now = until;
    }

    /** The executor a replica's control path runs on: steps, calls and timer in one, each piece of {@code owner}. */
    ScheduledExecutorService executor(String owner) {
        return new OwnerExecutor(owner);
    }

    private final class OwnerExecutor extends AbstractExecutorService implements ScheduledExecutorService {

        private final String name;

        OwnerExecutor(String name) {
            this.name = name;
        }

        @Override
        public void execute(Runnable command) {
            start(name, step, command);
        }

        @Override
        public ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
            return schedule(() -> {
                command.run();
                return null;
            }, delay, unit);
        }

        @Override
        public <V> ScheduledFuture<V> schedule(Callable<V> callable, long delay, TimeUnit unit) {
            SimFuture<V> future = new SimFuture<>(now + unit.toNanos(delay));
            startLater(name, step, unit.toNanos(delay), () -> {
                if (future.isCancelled()) {
                    return;
                }
                try {
                    future.complete(callable.call());
                } catch (Exception e) {
                    future.completeExceptionally(e);
                }
            });
            return future;
        }

        @Override
        public ScheduledFuture<?> scheduleAtFixedRate(Runnable command, long initialDelay, long period, TimeUnit unit) {
            throw new UnsupportedOperationException("the control path schedules one-shot timers only");
        }

        @Override
        public ScheduledFuture<?> scheduleWithFixedDelay(Runnable command, long initialDelay, long delay, TimeUnit unit) {
            throw new UnsupportedOperationException("the control path schedules one-shot timers only");
        }

        @Override
        public void shutdown() {
        }

        @Override
        public List<Runnable> shutdownNow() {
            return List.of();
        }

        @Override
        public boolean isShutdown() {
            return dead.contains(name);
        }

        @Override
        public boolean isTerminated() {
            return dead.contains(name);
        }

        @Override
        public boolean awaitTermination(long timeout, TimeUnit unit) {
            return true;
        }
    }

    /** A timer's future on virtual time. */
    private final class SimFuture<V> extends CompletableFuture<V> implements ScheduledFuture<V> {

        private final long due;

        SimFuture(long due) {
            this.due = due;
        }

        @Override
        public long getDelay(TimeUnit unit) {
            return unit.convert(due - now, TimeUnit.NANOSECONDS);
        }

        @Override
        public int compareTo(Delayed other) {
            return Long.compare(getDelay(TimeUnit.NANOSECONDS), other.getDelay(TimeUnit.NANOSECONDS));
        }
    }
}
