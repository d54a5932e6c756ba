package io.coscale.sim;

import io.coscale.control.ClaimResult;
import io.coscale.domain.ReleaseDecision;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * A worker as docs/API.md tells it to behave: claim before its first receive, claim again after each message
 * received, work it, delete it; on an empty receive release and obey exit / continue / stay; drain when told; retry a
 * failed claim or release (503, a connection that broke, no answer within 10 s) after a second; on SIGTERM give its
 * message back and exit. Its requests reach the replica that leads, as a follower would pass them on; with no leader
 * known the answer is 503.
 */
final class SimWorker {

    private static final long REQUEST_TIMEOUT = 10 * Simulation.SECOND;

    private final Simulation sim;
    private final SimScheduler scheduler;
    final String taskArn;
    final String name;
    /** The message in hand; null when none. */
    Integer message;
    /** A claim answered protected: true (the promise I1 holds coscale to until the task is told to exit). */
    boolean protectedClaimed;
    boolean toldExit;
    boolean gone;
    boolean drain;
    /** A request in flight; its number, so that a late answer to an abandoned one is ignored. */
    private int request;
    private boolean waiting;
    /** What the last failed request left behind (I6), until the next answer. */
    Invariants.Failed failed;

    SimWorker(Simulation sim, String taskArn, String name) {
        this.sim = sim;
        this.scheduler = sim.scheduler;
        this.taskArn = taskArn;
        this.name = name;
    }

    boolean idleOrGone() {
        return gone || message == null && !waiting;
    }

    void start() {
        later(0, this::claimFirst);
    }

    private void later(long nanos, Runnable next) {
        scheduler.startLater(name, "worker", nanos, () -> {
            if (!gone) {
                next.run();
            }
        });
    }

    private void claimFirst() {
        send("claim", r -> r.claim(taskArn), answer -> {
            ClaimResult claim = (ClaimResult) answer;
            noteClaim(claim);
            receive();
        });
    }

    private void noteClaim(ClaimResult claim) {
        protectedClaimed |= claim.isProtected();
        drain |= claim.drain();
    }

    private void receive() {
        message = sim.sqs().receive(name);
        if (message == null) {
            send("release", r -> r.release(taskArn), answer -> obey((ReleaseDecision) answer));
            return;
        }
        send("claim", r -> r.claim(taskArn), answer -> {
            noteClaim((ClaimResult) answer);
            later((1 + scheduler.random().nextInt(15)) * Simulation.SECOND, this::done);
        });
    }

    private void done() {
        sim.sqs().delete(message);
        message = null;
        if (drain) {
            send("release", r -> r.release(taskArn), answer -> obey((ReleaseDecision) answer));
        } else {
            later(0, this::receive);
        }
    }

    private void obey(ReleaseDecision decision) {
        switch (decision.kind()) {
            case EXIT -> {
                toldExit = true;
                gone = true;
                scheduler.startLater("ecs", "worker exit", Simulation.SECOND / 10, () -> sim.ecs().exited(taskArn));
            }
            case CONTINUE -> later(Simulation.SECOND / 10, this::receive);
            default -> later(5 * Simulation.SECOND, this::receive);
        }
    }

    /** ECS stops the task: the message goes back, the worker exits. */
    void sigterm() {
        sim.invariants.stopped(this);
        if (message != null) {
            sim.sqs().giveBack(message);
            message = null;
        }
        gone = true;
    }

    /** One request to coscale, retried a second after it fails, until it is answered. */
    private void send(String step, Function<io.coscale.control.SimulatedReplica, CompletableFuture<?>> call,
            Consumer<Object> onAnswer) {
        int number = ++request;
        waiting = true;
        Invariants.Sent sent = sim.invariants.sending(this);
        var leader = sim.leader();
        if (leader.isEmpty()) {
            scheduler.start(name, "worker", () -> failed(number, sent, step, call, onAnswer));
            return;
        }
        Simulation.Proc proc = leader.get();
        scheduler.startLater(name, "worker", REQUEST_TIMEOUT, () -> failed(number, sent, step, call, onAnswer));
        scheduler.start(proc.name, step, () -> call.apply(proc.control).whenComplete((answer, e) -> {
            boolean delivered = e == null && sim.alive(proc);
            scheduler.start(name, "worker", () -> {
                if (delivered) {
                    answered(number, sent, answer, onAnswer);
                } else {
                    failed(number, sent, step, call, onAnswer);
                }
            });
        }));
    }

    private void answered(int number, Invariants.Sent sent, Object answer, Consumer<Object> onAnswer) {
        if (number != request || gone) {
            return;
        }
        request++;
        waiting = false;
        sim.invariants.answered(this, sent, answer);
        failed = null;
        onAnswer.accept(answer);
    }

    private void failed(int number, Invariants.Sent sent, String step,
            Function<io.coscale.control.SimulatedReplica, CompletableFuture<?>> call, Consumer<Object> onAnswer) {
        if (number != request || gone) {
            return;
        }
        request++;
        if (failed == null) {
            failed = sim.invariants.failedRequest(this, sent, step);
        }
        later(Simulation.SECOND, () -> send(step, call, onAnswer));
    }
}
