package io.coscale.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * The runbook of docs/DEPLOY.md ("When coscale is down") played out: coscale stopped (the process, SIGTERM) under
 * load for 10 s and then for its start-up, to keep {@code verify} short ({@link CoscaleOutageBenchmark}: a minute,
 * with {@code -Pchaos}), with coscale-run workers running; that still outlasts the workers' claim before a job (2 s)
 * and two of the queue's visibility timeouts (5 s), which is what a job lost or run twice would need. A producer submits through coscale and, whenever coscale does not accept a job, sends it to the pool's
 * queue directly. Every job records each of its runs; at the end no job is lost and none ran twice, and once coscale
 * is back the reconciler scales for the depth that built up meanwhile. Prints its figures.
 */
class CoscaleOutageIT {

    private static final Duration OUTAGE = Duration.ofSeconds(10);
    private static final Path LOGS = Path.of("target", "outage").toAbsolutePath();
    /** Jobs per second before and after the outage, and during it (more than the tasks left running work). */
    private static final int CALM_RATE = 1;
    private static final int OUTAGE_RATE = 2;
    private static final Duration CALM = Duration.ofSeconds(5);
    private static final Duration DONE = Duration.ofSeconds(180);

    @Test
    void aStoppedCoscaleLosesNoJobAndRunsNoneTwiceAndTheReconcilerScalesForTheDepthOnceBack() throws Exception {
        run(OUTAGE);
    }

    /** The scenario with coscale down for {@code outage} and then for its start-up. */
    static void run(Duration outage) throws Exception {
        Files.createDirectories(LOGS);
        Path runs = LOGS.resolve("runs.log");
        Files.deleteIfExists(runs);
        Files.createFile(runs);
        // Each run of a job appends its body (the producer's own job key) to runs.log, in one write, then works 1 s.
        // A heartbeat every 2 s: a claim before a job gives up within 2 s, and the first visibility extension (to
        // 6 s) comes 2 s later, inside the queue's 5 s.
        String worker = CoscaleRun.ENVIRONMENT + " HEARTBEAT_SECONDS=2 exec " + PythonWorkers.python() + " -B "
                + PythonWorkers.shellQuote(PythonWorkers.deployFile("coscale-run/coscale-run"))
                + " -- sh -c 'line=$(cat); echo \"$line\" >> \"" + runs + "\"; sleep 1'";
        try (ConformanceCloud cloud = ConformanceCloud.start("outage", Optional.of(worker), LOGS)) {
            String queueUrl = cloud.status().path("queueUrl").asText();
            Producer producer = new Producer(cloud, queueUrl);

            producer.submitFor(CALM, CALM_RATE);
            int desiredAtStop = cloud.status().path("desiredCount").asInt();
            long stopped = System.nanoTime();
            cloud.stopCoscale();
            producer.submitFor(outage, OUTAGE_RATE);
            Thread producing = new Thread(() -> producer.submitFor(Duration.ofDays(1), OUTAGE_RATE), "producer");
            producing.start(); // on while coscale starts: it is down until it answers
            cloud.startCoscale();
            long back = System.nanoTime();
            long depthAtReturn = depth(cloud, queueUrl);
            // What the reconciler's first pass should ask for: a task per job waiting, up to maxTasks.
            long wanted = Math.min(cloud.status().path("maxTasks").asLong(), depthAtReturn);
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                    .until(() -> cloud.status().path("desiredCount").asLong() >= wanted);
            long scaledMillis = (System.nanoTime() - back) / 1_000_000;
            int desiredAfter = cloud.status().path("desiredCount").asInt();
            producer.stop();
            producing.join();
            producer.submitFor(CALM, CALM_RATE);

            await().atMost(DONE).untilAsserted(() -> assertThat(cloud.stat("jobsCompleted")).as("jobs completed")
                    .isEqualTo(producer.submitted()));
            Map<String, Long> runsPerJob = Files.readAllLines(runs).stream().filter(l -> !l.isBlank())
                    .collect(Collectors.groupingBy(Function.identity(), Collectors.counting()));
            long lost = producer.submitted() - runsPerJob.size();
            long twice = runsPerJob.values().stream().filter(n -> n > 1).count();
            System.out.printf("coscale outage of %d s (stopped for %s, then its start-up), coscale-run workers:%n"
                    + "  jobs submitted %d: via coscale %d, via SQS directly %d%n"
                    + "  completed %d, lost %d, run twice %d (receives %d, failed %d)%n"
                    + "  depth at return %d (maxTasks %d); desiredCount %d at the stop, %d %d ms after coscale was back%n",
                    (back - stopped) / 1_000_000_000, outage, producer.submitted(), producer.viaCoscale.get(),
                    producer.viaSqs.get(), cloud.stat("jobsCompleted"), lost, twice, cloud.stat("jobsReceived"),
                    cloud.stat("jobsFailed"), depthAtReturn, cloud.status().path("maxTasks").asLong(), desiredAtStop, desiredAfter, scaledMillis);

            assertThat(producer.viaSqs.get()).as("jobs sent to SQS directly while coscale was down").isPositive();
            assertThat(lost).as("jobs that never ran").isZero();
            assertThat(twice).as("jobs that ran more than once").isZero();
            assertThat(cloud.stat("jobsReceived")).as("receives (more: a job was handed out again)")
                    .isEqualTo(producer.submitted());
            assertThat(cloud.stat("workerExitsFailed")).as("workers that exited non-zero").isZero();
            assertThat(cloud.stat("tasksStoppedWhileBusy")).as("busy tasks stopped").isZero();
            assertThat(wanted).as("tasks the depth at return asks for: more than at the stop").isGreaterThan(desiredAtStop);
        }
    }

    /** Visible and in-flight messages on the queue, as SQS reports them. */
    private static long depth(ConformanceCloud cloud, String queueUrl) {
        Map<QueueAttributeName, String> a = cloud.sqs().getQueueAttributes(b -> b.queueUrl(queueUrl).attributeNames(
                QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES,
                QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE)).attributes();
        return Long.parseLong(a.get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES))
                + Long.parseLong(a.get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE));
    }

    /**
     * An upstream application as the runbook has it: each job goes to coscale first, through the network (the link
     * the workers use too); a job coscale did not accept (refused, reset, not 202) goes to the queue directly, with
     * the same body. Each job's body is its own key.
     */
    private static final class Producer {

        private final ConformanceCloud cloud;
        private final String queueUrl;
        private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        private final AtomicInteger next = new AtomicInteger();
        final AtomicLong viaCoscale = new AtomicLong();
        final AtomicLong viaSqs = new AtomicLong();
        private volatile boolean stopped;

        Producer(ConformanceCloud cloud, String queueUrl) {
            this.cloud = cloud;
            this.queueUrl = queueUrl;
        }

        long submitted() {
            return viaCoscale.get() + viaSqs.get();
        }

        void stop() {
            stopped = true;
        }

        /** Submits {@code rate} jobs a second for {@code length}, or until stopped (then ready to go on). */
        void submitFor(Duration length, int rate) {
            long end = System.nanoTime() + length.toNanos();
            long period = 1_000_000_000L / rate;
            for (long due = System.nanoTime(); System.nanoTime() < end && !stopped; due += period) {
                submit("{\"job\":\"p-" + next.incrementAndGet() + "\"}");
                long wait = due + period - System.nanoTime();
                if (wait > 0) {
                    try {
                        Thread.sleep(wait / 1_000_000); // pacing the load, not an assertion
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                }
            }
            stopped = false;
        }

        private void submit(String body) {
            if (accepted(body)) {
                viaCoscale.incrementAndGet();
            } else {
                cloud.sqs().sendMessage(b -> b.queueUrl(queueUrl).messageBody(body));
                viaSqs.incrementAndGet();
            }
        }

        private boolean accepted(String body) {
            HttpRequest request = HttpRequest.newBuilder(URI.create(cloud.link().url() + "/v1/pools/demo/jobs"))
                    .timeout(Duration.ofSeconds(5)).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"payload\": " + body + "}")).build();
            try {
                return http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode() == 202;
            } catch (IOException e) {
                return false;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
    }
}
