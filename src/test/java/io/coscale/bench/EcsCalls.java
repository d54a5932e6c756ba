package io.coscale.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.coscale.local.ecs.CallListener;
import io.coscale.local.ecs.EcsEmulator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Every ECS API call the emulator receives while attached, with its receive time: what the benchmarks count
 * and time. UpdateService calls are also handed out one by one, for latency rounds. Also the most calls of each action
 * that were in flight at once (received, not yet answered: injected latency included).
 */
final class EcsCalls implements CallListener, AutoCloseable {

    /**
     * One received call: the action, the service it names (if any), desiredCount (of a TagResource: the first tag's
     * value, an exit record's count; else -1), and nanoTime.
     */
    record Call(String action, String service, int desiredCount, long receivedNanos) {
    }

    private final EcsEmulator emulator;
    private final ConcurrentLinkedQueue<Call> calls = new ConcurrentLinkedQueue<>();
    private final BlockingQueue<Call> updates = new LinkedBlockingQueue<>();
    private final Map<String, AtomicInteger> inFlight = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> maxInFlight = new ConcurrentHashMap<>();

    private EcsCalls(EcsEmulator emulator) {
        this.emulator = emulator;
    }

    static EcsCalls attach(EcsEmulator emulator) {
        EcsCalls recorder = new EcsCalls(emulator);
        emulator.addCallListener(recorder);
        return recorder;
    }

    @Override
    public void received(String action, JsonNode request, long receivedNanos) {
        String service = request.path("service").asText(null);
        Call call = new Call(action, service == null ? null : service.substring(service.lastIndexOf('/') + 1),
                action.equals("TagResource") ? request.path("tags").path(0).path("value").asInt(-1)
                        : request.path("desiredCount").asInt(-1), receivedNanos);
        calls.add(call);
        int now = inFlight.computeIfAbsent(action, a -> new AtomicInteger()).incrementAndGet();
        maxInFlight.computeIfAbsent(action, a -> new AtomicInteger()).accumulateAndGet(now, Math::max);
        if (action.equals("UpdateService")) {
            updates.add(call);
        }
    }

    @Override
    public void answered(String action) {
        // A call received before this recorder was attached is not counted in, so it is not counted out either.
        inFlight.computeIfAbsent(action, a -> new AtomicInteger()).getAndUpdate(n -> Math.max(0, n - 1));
    }

    /** The most calls of {@code action} in flight at once since the last {@link #clear()}. */
    int maxInFlight(String action) {
        AtomicInteger max = maxInFlight.get(action);
        return max == null ? 0 : max.get();
    }

    /**
     * The next UpdateService call of {@code service} received after {@code afterNanos}, waiting up to
     * {@code timeoutMillis}; null if none came. Calls received earlier are skipped.
     */
    Call nextUpdate(String service, long afterNanos, long timeoutMillis) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        while (true) {
            long left = deadline - System.nanoTime();
            Call call = updates.poll(Math.max(0, left), TimeUnit.NANOSECONDS);
            if (call == null || (service.equals(call.service()) && call.receivedNanos() >= afterNanos)) {
                return call;
            }
        }
    }

    /** Forgets what was received so far. */
    void clear() {
        calls.clear();
        updates.clear();
        maxInFlight.clear();
    }

    List<Call> calls() {
        return List.copyOf(calls);
    }

    long count(String action) {
        return calls.stream().filter(c -> c.action().equals(action)).count();
    }

    List<Long> updateTimes(String service) {
        return calls.stream().filter(c -> c.action().equals("UpdateService") && service.equals(c.service()))
                .map(Call::receivedNanos).toList();
    }

    @Override
    public void close() {
        emulator.removeCallListener(this);
    }
}
