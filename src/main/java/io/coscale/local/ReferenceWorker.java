package io.coscale.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.coscale.concurrent.Threads;
import io.coscale.local.task.InJvmWorker;
import io.coscale.local.task.TaskLaunch;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.exception.AbortedException;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;
import software.amazon.awssdk.services.sqs.model.ReceiptHandleIsInvalidException;

/**
 * The reference worker of the worker protocol, run as the in-JVM task of the demo pool. It speaks real SQS and
 * real HTTP, exactly as a containerised worker would: its identity from the task metadata endpoint, then a claim
 * before its first receive (protected from then until told to exit), then poll → claim (a heartbeat) → work →
 * delete → poll, and on an empty queue release and obey the decision; a claim answered {@code drain} (a task of an
 * older deployment) makes it release after its current job instead of polling again. A payload
 * {@code {"seconds": n}} works n seconds; {@code {"fail": true}} fails (the message is left to SQS's redrive).
 * The stop signal (an interrupt) abandons the current job and gives its message back (visibility 0). While it
 * works, it keeps its message invisible (at once, then every 2 s, for 10 s more), as a worker whose jobs may
 * outlast the queue's visibility timeout must.
 * <p>
 * It tells the emulator of every message it holds ({@link io.coscale.local.task.JobTracker}): received right
 * after the ReceiveMessage, before the claim, since a task is busy from the receive; then deleted, failed or
 * returned. Env {@value #CLAIM_DELAY_ENV} ({@code "min-max"} or {@code "n"} ms, default 0) makes it wait that
 * long between the receive and the heartbeat claim, as a slow worker would.
 */
@Singleton
public class ReferenceWorker implements InJvmWorker, AutoCloseable {

    private static final Logger LOG = Logger.getLogger(ReferenceWorker.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    /** The first poll waits longer (a new task expects work; env {@value #FIRST_WAIT_ENV}); later polls only briefly. */
    static final String FIRST_WAIT_ENV = "WORKER_FIRST_WAIT_SECONDS";
    private static final int FIRST_WAIT_SECONDS = 2;
    /** Milliseconds between a receive and its claim: {@code "min-max"} or {@code "n"}; default 0. */
    static final String CLAIM_DELAY_ENV = "WORKER_CLAIM_DELAY_MILLIS";
    private static final int NEXT_WAIT_SECONDS = 1;
    private static final Duration STAY_PAUSE = Duration.ofSeconds(2);
    /** While it works, every {@code KEEP_EVERY} the worker makes its message invisible for {@code KEEP_FOR} more. */
    private static final Duration KEEP_EVERY = Duration.ofSeconds(2);
    private static final Duration KEEP_FOR = Duration.ofSeconds(10);
    private static final ScheduledExecutorService KEEPER = Executors.newSingleThreadScheduledExecutor(Threads.daemon("reference-worker-visibility"));

    /** One SQS client per endpoint, shared by the worker threads as one client per container would be. */
    private final Map<String, SqsClient> sqsClients = new ConcurrentHashMap<>();

    @Override
    public int run(TaskLaunch launch) throws Exception {
        try {
            return work(launch);
        } catch (AbortedException e) {
            // The SDK's word for "interrupted during a call": the task's stop signal arrived mid-poll.
            throw new InterruptedException("stop signal during an SQS call");
        }
    }

    private int work(TaskLaunch launch) throws Exception {
        Map<String, String> env = launch.environment();
        CoscaleApi coscale = new CoscaleApi(env.get("COSCALE_URL"), env.get("COSCALE_TOKEN"));
        String taskArn = coscale.taskArn(env.get("ECS_CONTAINER_METADATA_URI_V4"));
        String queueUrl = env.get("QUEUE_URL");
        SqsClient sqs = sqsClients.computeIfAbsent(env.get("AWS_ENDPOINT_URL_SQS"), ReferenceWorker::sqsClient);
        int firstWait = Integer.parseInt(env.getOrDefault(FIRST_WAIT_ENV, Integer.toString(FIRST_WAIT_SECONDS)));
        ClaimDelay claimDelay = ClaimDelay.parse(env.get(CLAIM_DELAY_ENV));
        int wait = firstWait;
        int maxReceives = maxReceiveCount(sqs, queueUrl);
        // The claim before the first receive: in protect mode the task is protected from here until coscale
        // answers exit, so no message it takes can be in an unprotected task's hands.
        boolean[] drain = {coscale.claim(taskArn)};
        while (true) {
            List<Message> messages = drain[0] ? List.of() : receive(sqs, queueUrl, wait);
            if (!messages.isEmpty()) {
                Message message = messages.get(0);
                launch.jobs().received();
                handle(message, () -> {
                    // A job may outlast the queue's visibility timeout: keep the message ours while we work on it,
                    // or SQS hands it to another worker and our delete fails.
                    Keeper keeper = new Keeper(sqs, queueUrl, message);
                    try {
                        // The heartbeat: busy in coscale's status; it may come late (the claim-delay knob).
                        Thread.sleep(claimDelay.pickMillis());
                        drain[0] = coscale.claim(taskArn);
                        boolean done = workOn(message.body());
                        keeper.stop();
                        if (done) {
                            delete(sqs, queueUrl, message);
                            launch.jobs().deleted();
                        } else {
                            launch.jobs().failed();
                            lastTry(sqs, queueUrl, message, maxReceives);
                        }
                    } finally {
                        keeper.stop();
                    }
                }, sqs, queueUrl, launch);
                wait = NEXT_WAIT_SECONDS;
                continue;
            }
            String decision = coscale.release(taskArn);
            drain[0] = false; // unless told to exit, coscale kept the task after all: poll again
            switch (decision) {
                case "exit" -> {
                    return 0;
                }
                case "stay" -> {
                    Thread.sleep(STAY_PAUSE.toMillis());
                    wait = firstWait;
                }
                default -> wait = NEXT_WAIT_SECONDS;
            }
        }
    }

    /**
     * Deletes a done job's message. An invalid receipt handle is not a failure of the job: the SDK retried a delete
     * whose answer was lost (the message is gone), or the message was handed on after all (the job runs again).
     */
    private static void delete(SqsClient sqs, String queueUrl, Message message) {
        try {
            sqs.deleteMessage(b -> b.queueUrl(queueUrl).receiptHandle(message.receiptHandle()));
        } catch (ReceiptHandleIsInvalidException e) {
            LOG.debugf("message %s already gone or handed on: %s", message.messageId(), e.getMessage());
        }
    }

    /**
     * After a job's last try (its receive count reached the redrive policy's maxReceiveCount), gives its message back
     * at once: the next receive — this task's own, a moment later — moves it to the dead-letter queue. Left to its
     * visibility timeout instead, it would come back to an empty pool and cost one more task start only to be moved.
     */
    private static void lastTry(SqsClient sqs, String queueUrl, Message message, int maxReceives) {
        String count = message.attributes().get(MessageSystemAttributeName.APPROXIMATE_RECEIVE_COUNT);
        if (maxReceives <= 0 || count == null || Integer.parseInt(count) < maxReceives) {
            return; // more tries to come: the visibility timeout is the back-off between them
        }
        try {
            sqs.changeMessageVisibility(b -> b.queueUrl(queueUrl).receiptHandle(message.receiptHandle()).visibilityTimeout(0));
        } catch (RuntimeException e) {
            LOG.debugf("message %s left to its timeout: %s", message.messageId(), e.getMessage());
        }
    }

    /** The queue's redrive policy's maxReceiveCount; 0 when it has none (or it cannot be read). */
    static int maxReceiveCount(SqsClient sqs, String queueUrl) {
        try {
            String policy = sqs.getQueueAttributes(b -> b.queueUrl(queueUrl).attributeNames(QueueAttributeName.REDRIVE_POLICY))
                    .attributes().get(QueueAttributeName.REDRIVE_POLICY);
            return policy == null ? 0 : JSON.readTree(policy).path("maxReceiveCount").asInt(0);
        } catch (IOException | RuntimeException e) {
            LOG.debugf("no redrive policy read for %s: %s", queueUrl, e.getMessage());
            return 0;
        }
    }

    /**
     * Keeps a message ours while its job runs: its visibility extended now and every {@link #KEEP_EVERY}. {@link #stop}
     * returns only once no extension runs or will run, so that the visibility the worker sets next (0 after a last try)
     * is not overwritten by an extension that was late to run: on a busy machine a scheduled one can run after the job
     * ended, and the message would then come back to an empty pool a visibility timeout later.
     */
    private static final class Keeper {
        private final ScheduledFuture<?> schedule;
        private boolean stopped; // guarded by this

        Keeper(SqsClient sqs, String queueUrl, Message message) {
            // The first extension on the worker's own thread, before the job runs: a job that fails at once then
            // comes back KEEP_FOR later, whatever the queue's own visibility timeout (the README's tour says 10 s).
            extendVisibility(sqs, queueUrl, message);
            schedule = KEEPER.scheduleAtFixedRate(() -> {
                synchronized (this) {
                    if (!stopped) {
                        extendVisibility(sqs, queueUrl, message);
                    }
                }
            }, KEEP_EVERY.toMillis(), KEEP_EVERY.toMillis(), TimeUnit.MILLISECONDS);
        }

        synchronized void stop() {
            stopped = true;
            schedule.cancel(false);
        }
    }

    /** Extends a held message's visibility; a failure only means SQS may hand it on sooner. */
    private static void extendVisibility(SqsClient sqs, String queueUrl, Message message) {
        try {
            sqs.changeMessageVisibility(b -> b.queueUrl(queueUrl).receiptHandle(message.receiptHandle())
                    .visibilityTimeout((int) KEEP_FOR.toSeconds()));
        } catch (RuntimeException e) {
            LOG.debugf("visibility of %s not extended: %s", message.messageId(), e.getMessage());
        }
    }

    /** A job's steps from the claim on; any of them may be cut short by the stop signal. */
    @FunctionalInterface
    private interface Job {
        void run() throws Exception;
    }

    /**
     * Runs a received message's job. Cut short (the stop signal, or coscale refusing the claim), it gives the
     * message back at once (best effort) rather than leaving it invisible until its timeout, and reports it
     * returned once SQS took it back.
     */
    private static void handle(Message message, Job job, SqsClient sqs, String queueUrl, TaskLaunch launch)
            throws Exception {
        try {
            job.run();
        } catch (Exception e) {
            boolean interrupted = Thread.interrupted() || e instanceof InterruptedException || e instanceof AbortedException;
            try {
                sqs.changeMessageVisibility(b -> b.queueUrl(queueUrl).receiptHandle(message.receiptHandle())
                        .visibilityTimeout(0));
                launch.jobs().returned();
            } catch (RuntimeException giveBackFailed) {
                // Still held as far as anyone knows: it reappears after its timeout, counted interrupted.
                LOG.debugf("message %s not given back: %s", message.messageId(), giveBackFailed.getMessage());
            }
            if (interrupted) {
                throw new InterruptedException("stop signal during a job");
            }
            throw e;
        }
    }

    private static List<Message> receive(SqsClient sqs, String queueUrl, int waitSeconds) throws InterruptedException {
        if (Thread.interrupted()) {
            throw new InterruptedException("stop signal");
        }
        return sqs.receiveMessage(b -> b.queueUrl(queueUrl).maxNumberOfMessages(1).waitTimeSeconds(waitSeconds)
                .messageSystemAttributeNames(MessageSystemAttributeName.APPROXIMATE_RECEIVE_COUNT)).messages();
    }

    /** Works one job; true when it succeeded. Interrupted: the job is abandoned, and so is the task. */
    static boolean workOn(String body) throws InterruptedException {
        JsonNode payload;
        try {
            payload = JSON.readTree(body);
        } catch (IOException e) {
            payload = JSON.nullNode(); // not JSON: a job with nothing to do
        }
        if (payload != null && payload.path("fail").asBoolean(false)) {
            LOG.debugf("job failed on request: %s", body);
            return false;
        }
        double seconds = payload == null ? 0 : payload.path("seconds").asDouble(0);
        if (seconds > 0) {
            Thread.sleep((long) (seconds * 1000));
        }
        return true;
    }

    private static SqsClient sqsClient(String endpoint) {
        return SqsClient.builder()
                .endpointOverride(URI.create(endpoint))
                .region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(AwsCallLog.WORKER_KEY, AwsCallLog.WORKER_KEY)))
                .httpClientBuilder(UrlConnectionHttpClient.builder().socketTimeout(Duration.ofSeconds(30)))
                .build();
    }

    @Override
    public void close() {
        sqsClients.values().forEach(SqsClient::close);
        sqsClients.clear();
    }
}
