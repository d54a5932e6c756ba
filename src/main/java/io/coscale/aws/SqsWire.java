package io.coscale.aws;

import io.coscale.concurrent.Attempts;
import io.coscale.concurrent.Backoff;
import io.coscale.concurrent.Futures;
import io.coscale.domain.OutgoingMessage;
import io.coscale.domain.Pool;
import io.coscale.domain.QueueDepth;
import io.coscale.domain.SendOutcome;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BiFunction;
import org.jboss.logging.Logger;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.SignedRequest;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;

/**
 * SQS's two hot calls, SendMessageBatch and GetQueueAttributes, made on Vert.x's non-blocking HTTP client instead of
 * the SDK's pipeline. Every job goes through a SendMessageBatch and every reconcile pass reads every queue, and the
 * SDK's pipeline, with its many stages, costs more CPU per call than SQS's own server spends on it. Here a call is
 * one JSON body ({@link SqsJson}), signed with the SDK's own SigV4 signer, sent on a pooled
 * keep-alive connection; the answer completes the future on the event loop, and no thread waits.
 *
 * <p>What stays as with the SDK: credentials from the same provider ({@link SqsCredentials}, resolved off the event
 * loop), the endpoint the SDK resolves, its timeouts (connect; idle socket), its retry rule (up to
 * {@link #MAX_ATTEMPTS} attempts for throttling, 5xx and I/O failures, with jittered exponential backoff) and MD5
 * checks of what SQS stored — but a send to a standard queue is not retried once an attempt may have been acted on
 * (see {@link #retryDelayMillis}). Failures classify as {@link AwsCallException} does an SDK failure: refused connections
 * surely sent nothing; a 5xx, a timeout or a cut connection may have been acted on.
 */
public final class SqsWire implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(SqsWire.class);

    public static final int MAX_ATTEMPTS = 3;
    private static final long BASE_DELAY_MILLIS = 100;
    private static final long THROTTLED_BASE_DELAY_MILLIS = 500;
    private static final long MAX_DELAY_MILLIS = 20_000;
    private static final List<String> DEPTH_ATTRIBUTES = QueueGateway.DEPTH_ATTRIBUTES.stream()
            .map(Object::toString).toList();

    private final Vertx vertx;
    private final HttpClient http;
    private final URI endpoint;
    private final String region;
    private final SqsCredentials credentials;
    private final long idleTimeoutMillis;
    private final AwsV4HttpSigner signer = AwsV4HttpSigner.create();
    /** Requests sent so far, per action, retries included: what SQS bills. */
    private final Map<String, LongAdder> requests = new ConcurrentHashMap<>();

    /** One SQS answer: its status, its query-compatible error header, its body. */
    private record Answer(int status, String queryError, byte[] body) {
    }

    /**
     * @param endpoint SQS's endpoint (the override, or the Region's), where every call is POSTed
     * @param connections connections kept per endpoint: calls beyond them wait for one
     */
    public SqsWire(Vertx vertx, URI endpoint, String region, SqsCredentials credentials, Duration connectTimeout,
            Duration idleTimeout, int connections) {
        this.vertx = vertx;
        this.endpoint = endpoint;
        this.region = region;
        this.credentials = credentials;
        this.idleTimeoutMillis = idleTimeout.toMillis();
        boolean https = "https".equalsIgnoreCase(endpoint.getScheme());
        this.http = vertx.httpClientBuilder()
                .with(new HttpClientOptions()
                        .setSsl(https)
                        .setVerifyHost(true)
                        .setConnectTimeout((int) connectTimeout.toMillis())
                        .setKeepAlive(true)
                        // Shorter than SQS keeps an idle connection open, so a pooled one is rarely found closed.
                        .setKeepAliveTimeout(20)
                        .setTcpNoDelay(true)
                        .setDecompressionSupported(false))
                .with(new PoolOptions().setHttp1MaxSize(connections).setMaxWaitQueueSize(-1))
                // An idle pooled connection that SQS closes or resets is only dropped from the pool; a call's own
                // failure reaches the call.
                .withConnectHandler(connection -> connection.exceptionHandler(e -> LOG.debugf("idle SQS connection: %s", e)))
                .build();
    }

    /**
     * Enqueues jobs in SendMessageBatch calls cut as {@link SendBatches} cuts them, one after another (so a FIFO
     * queue's order holds). Every message gets an outcome, in order; a call that failed as a whole marks each of its
     * messages with the failure. The future does not fail. On a standard queue a call is not retried after an attempt
     * SQS may have acted on: a retry that succeeds would answer "accepted" for a job SQS may then hold twice, so the
     * outcome is "maybe enqueued" (502) instead. A FIFO queue's retry carries the same deduplication ids and is safe.
     */
    public CompletableFuture<List<SendOutcome>> sendBatch(String queueUrl, List<OutgoingMessage> messages) {
        List<List<OutgoingMessage>> batches = SendBatches.of(messages);
        List<SendOutcome> outcomes = new ArrayList<>(messages.size());
        CompletableFuture<Void> chain = CompletableFuture.completedFuture(null);
        for (List<OutgoingMessage> batch : batches) {
            chain = chain.thenCompose(done -> call("SendMessageBatch", SqsJson.sendMessageBatch(queueUrl, batch),
                            Pool.isFifo(queueUrl), (answer, earlierMaybeApplied) -> earlierMaybeApplied
                                    ? maybeEnqueued(SqsJson.sendOutcomes(batch, answer))
                                    : SqsJson.sendOutcomes(batch, answer))
                    .handle((sent, failure) -> {
                        if (failure != null) {
                            AwsCallException e = transport("SendMessageBatch", failure);
                            batch.forEach(m -> outcomes.add(e.outcomeOf(m.jobId())));
                        } else {
                            outcomes.addAll(sent);
                        }
                        return null;
                    }));
        }
        return chain.thenApply(done -> outcomes);
    }

    /**
     * The outcomes of an answer that came after an attempt SQS may have acted on: an entry refused now may have been
     * enqueued then.
     */
    private static List<SendOutcome> maybeEnqueued(List<SendOutcome> outcomes) {
        return outcomes.stream().map(o -> o.accepted() || o.maybeEnqueued() ? o
                : new SendOutcome(o.jobId(), false, o.transientFailure(), o.errorCode(), o.message()
                        + " (an earlier attempt failed after SQS had it)", true)).toList();
    }

    /** The queue's approximate visible, in-flight and delayed message counts; fails with {@link AwsCallException}. */
    public CompletableFuture<QueueDepth> depth(String queueUrl) {
        return call("GetQueueAttributes", SqsJson.getQueueAttributes(queueUrl, DEPTH_ATTRIBUTES), true,
                (answer, earlierMaybeApplied) -> QueueGateway.depthOf(SqsJson.attributes(answer)));
    }

    /** The requests sent to SQS since start, per action (every attempt counts, as SQS bills each). */
    public Map<String, Long> requestsSent() {
        Map<String, Long> copy = new TreeMap<>();
        requests.forEach((action, n) -> copy.put(action, n.sum()));
        return copy;
    }

    /**
     * One call with the SDK's retry rule; its answer read by {@code read} (told whether an earlier attempt may have been
     * acted on), its failure an AwsCallException as uncertain as its most uncertain attempt ({@link Attempts}).
     *
     * @param idempotent whether the call may be sent again after an attempt SQS may have acted on (a read, a FIFO send)
     */
    private <T> CompletableFuture<T> call(String action, byte[] body, boolean idempotent,
            BiFunction<byte[], Boolean, T> read) {
        CompletableFuture<T> result = new CompletableFuture<>();
        attempt(action, body, idempotent, read, 1, Attempts.NONE, result);
        return result;
    }

    /** @param failed what the earlier attempts said ({@link Attempts}: the call's failure is as uncertain as the most) */
    private <T> void attempt(String action, byte[] body, boolean idempotent, BiFunction<byte[], Boolean, T> read,
            int attempt, Attempts failed, CompletableFuture<T> result) {
        credentials.current()
                .handle((identity, noCredentials) -> noCredentials != null
                        ? CompletableFuture.<Answer>failedFuture(notSent(action, "no AWS credentials", noCredentials))
                        : send(action, body, identity))
                .thenCompose(answer -> answer)
                .whenComplete((answer, failure) -> {
                    if (failure == null && answer.status() == 200) {
                        try {
                            result.complete(read.apply(answer.body(), failed.maybeApplied()));
                        } catch (RuntimeException unreadable) {
                            // SQS had the request and said yes; coscale cannot tell to what.
                            result.completeExceptionally(new AwsCallException(action + ": SQS's answer could not be read: "
                                    + unreadable.getMessage(), true, false, "UnreadableAnswer", unreadable, true));
                        }
                        return;
                    }
                    AwsCallException e = failure != null ? transport(action, failure)
                            : SqsJson.error(action, answer.status(), answer.queryError(), answer.body());
                    long delay = retryDelayMillis(attempt, e, ThreadLocalRandom.current().nextDouble(), idempotent);
                    if (delay < 0) {
                        result.completeExceptionally(failed.failure(e));
                    } else {
                        vertx.setTimer(Math.max(1, delay),
                                id -> attempt(action, body, idempotent, read, attempt + 1, failed.after(e), result));
                    }
                });
    }

    /**
     * The SDK's standard retry rule: after a transient failure, up to {@link #MAX_ATTEMPTS} attempts in all, each
     * after a random pause up to 100 ms (500 ms when throttled) doubled per attempt made, at most 20 s. One exception:
     * a call that is not idempotent (a send to a standard queue) is not retried after a failure SQS may have acted on
     * ({@link AwsCallException#maybeApplied()}), since a second copy of the job could then be enqueued and answered
     * accepted.
     *
     * @param attempt the attempt that failed, from 1
     * @param random uniform in [0, 1)
     * @param idempotent whether sending the call again cannot apply it twice (a read; a FIFO send, deduplicated)
     * @return the pause in milliseconds before the next attempt, or -1 for none
     */
    public static long retryDelayMillis(int attempt, AwsCallException failure, double random, boolean idempotent) {
        if (!failure.isTransient() || attempt >= MAX_ATTEMPTS || failure.maybeApplied() && !idempotent) {
            return -1;
        }
        long base = failure.isThrottled() ? THROTTLED_BASE_DELAY_MILLIS : BASE_DELAY_MILLIS;
        return (long) (random * Backoff.ceilingMillis(base, MAX_DELAY_MILLIS, attempt));
    }

    private CompletableFuture<Answer> send(String action, byte[] body, AwsCredentialsIdentity identity) {
        RequestOptions options;
        try {
            options = signed(action, body, identity);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(notSent(action, "the request could not be signed", e));
        }
        requests.computeIfAbsent(action, a -> new LongAdder()).increment();
        Future<Answer> answer = http.request(options)
                .compose(request -> request.send(Buffer.buffer(body)))
                .compose(response -> response.body().map(b -> new Answer(response.statusCode(),
                        response.getHeader("x-amzn-query-error"), b.getBytes())));
        return answer.toCompletionStage().toCompletableFuture();
    }

    /** A failure before the request left: transient (credentials may come), and surely not applied. */
    private static AwsCallException notSent(String action, String what, Throwable cause) {
        Throwable e = Futures.cause(cause);
        return new AwsCallException(action + " not sent: " + what + ": " + e, true, false, "ClientError", e, false);
    }

    /** The request, signed: POST to the endpoint with the action's target and SQS's JSON content type. */
    private RequestOptions signed(String action, byte[] body, AwsCredentialsIdentity identity) {
        SdkHttpRequest unsigned = SdkHttpRequest.builder()
                .method(SdkHttpMethod.POST)
                .uri(endpoint)
                .putHeader("Content-Type", SqsJson.CONTENT_TYPE)
                .putHeader("X-Amz-Target", SqsJson.TARGET_PREFIX + action)
                // Ask for SQS's query-compatible error codes, as the SDK does: the codes coscale reports stay the same.
                .putHeader("x-amzn-query-mode", "true")
                .build();
        SignedRequest signed = signer.sign(r -> r.identity(identity)
                .request(unsigned)
                .payload(ContentStreamProvider.fromByteArrayUnsafe(body))
                .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, "sqs")
                .putProperty(AwsV4HttpSigner.REGION_NAME, region));
        MultiMap headers = MultiMap.caseInsensitiveMultiMap();
        signed.request().headers().forEach(headers::add);
        return new RequestOptions()
                .setMethod(HttpMethod.POST)
                .setAbsoluteURI(endpoint.toString())
                .setHeaders(headers)
                .setIdleTimeout(idleTimeoutMillis);
    }

    /** A failure before SQS answered: sent nothing when the connection was never made, else maybe acted on. */
    static AwsCallException transport(String action, Throwable failure) {
        Throwable cause = Futures.cause(failure);
        if (cause instanceof AwsCallException e) {
            return e;
        }
        return new AwsCallException(action + " failed: " + cause, true, false, "ClientError", cause, !AwsCallException.neverSent(cause));
    }

    @Override
    public void close() {
        http.close();
    }
}
