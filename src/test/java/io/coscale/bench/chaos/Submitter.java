package io.coscale.bench.chaos;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Upstream applications as they should behave: each job is posted until coscale answers 202, retrying a 503 or a
 * broken connection with backoff (coscale may be down between a kill and its restart). A retry after a 202 that
 * was lost is a duplicate, which the run counts.
 */
final class Submitter {

    private static final Duration GIVE_UP_AFTER = Duration.ofSeconds(120);

    private final URI jobs;
    private final int clients;
    private final AtomicBoolean bursting;
    private final AtomicInteger accepted = new AtomicInteger();
    private final AtomicLong attempts = new AtomicLong();
    private final AtomicLong refusals = new AtomicLong();

    Submitter(URI jobs, int clients, AtomicBoolean bursting) {
        this.jobs = jobs;
        this.clients = clients;
        this.bursting = bursting;
    }

    /** Submits one wave from {@code clients} concurrent clients; returns when every job was accepted or given up. */
    void wave(List<String> bodies) throws InterruptedException {
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        bursting.set(true);
        try {
            List<Future<?>> done = new ArrayList<>();
            HttpClient http = ChaosRun.http();
            for (String body : bodies) {
                done.add(pool.submit(() -> {
                    submitUntilAccepted(http, body);
                    return null;
                }));
            }
            for (Future<?> f : done) {
                try {
                    f.get();
                } catch (java.util.concurrent.ExecutionException e) {
                    throw new IllegalStateException(e.getCause());
                }
            }
        } finally {
            bursting.set(false);
            pool.shutdownNow();
        }
    }

    private void submitUntilAccepted(HttpClient http, String body) throws InterruptedException {
        long deadline = System.nanoTime() + GIVE_UP_AFTER.toNanos();
        long backoff = 100;
        while (System.nanoTime() < deadline) {
            attempts.incrementAndGet();
            try {
                int status = http.send(HttpRequest.newBuilder(jobs).timeout(Duration.ofSeconds(10))
                        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode();
                if (status == 202) {
                    accepted.incrementAndGet();
                    return;
                }
                if (status != 503 && status != 502 && status != 504) {
                    throw new IllegalStateException("coscale answered " + status + " to " + body);
                }
            } catch (IOException e) {
                // coscale is down (killed) or the connection broke: the job may or may not be in SQS; retry
            }
            refusals.incrementAndGet();
            Thread.sleep(backoff);
            backoff = Math.min(backoff * 2, 2_000);
        }
    }

    int accepted() {
        return accepted.get();
    }

    long attempts() {
        return attempts.get();
    }

    long refusals() {
        return refusals.get();
    }
}
