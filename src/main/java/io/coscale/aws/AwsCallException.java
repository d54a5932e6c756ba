package io.coscale.aws;

import io.coscale.concurrent.TransientFailure;
import io.coscale.domain.SendOutcome;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import java.util.function.Supplier;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;

/**
 * A failed AWS call, stripped of SDK types. {@link #isTransient()} says whether trying again later can help:
 * throttling, 5xx, timeouts and unreachable endpoints are transient; a rejected request is not.
 */
public final class AwsCallException extends RuntimeException implements TransientFailure {

    private final boolean transientFailure;
    private final boolean throttled;
    private final String errorCode;
    private final boolean maybeApplied;

    public AwsCallException(String message, boolean transientFailure, boolean throttled, String errorCode, Throwable cause) {
        this(message, transientFailure, throttled, errorCode, cause, false);
    }

    public AwsCallException(String message, boolean transientFailure, boolean throttled, String errorCode, Throwable cause,
            boolean maybeApplied) {
        super(message, cause);
        this.transientFailure = transientFailure;
        this.throttled = throttled;
        this.errorCode = errorCode;
        this.maybeApplied = maybeApplied;
    }

    /** Classifies an SDK failure of {@code operation}. */
    static AwsCallException from(String operation, SdkException e) {
        if (e instanceof AwsServiceException service) {
            String code = service.awsErrorDetails() == null ? "Unknown" : service.awsErrorDetails().errorCode();
            boolean throttled = service.isThrottlingException() || "ThrottlingException".equals(code)
                    || "RequestLimitExceeded".equals(code);
            boolean transientFailure = throttled || service.statusCode() >= 500;
            String detail = service.awsErrorDetails() == null ? e.getMessage() : service.awsErrorDetails().errorMessage();
            // A 5xx came from a service that had the request: it may have acted before failing.
            return new AwsCallException(operation + " failed: " + code + ": " + detail, transientFailure, throttled, code, e,
                    !throttled && service.statusCode() >= 500);
        }
        // Client-side: connection refused, timeouts, unreadable answers — the endpoint may come back.
        boolean transientFailure = e instanceof SdkClientException || e.retryable();
        return new AwsCallException(operation + " failed: " + e.getMessage(), transientFailure, false, "ClientError", e,
                !neverSent(e));
    }

    /** Whether the request surely never reached the service: the connection was not even made. */
    static boolean neverSent(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ConnectException || t instanceof UnknownHostException || t instanceof NoRouteToHostException) {
                return true;
            }
        }
        return false;
    }

    /** Runs one SDK call, turning its failure into an {@code AwsCallException}. */
    static <T> T call(String operation, Supplier<T> call) {
        try {
            return call.get();
        } catch (SdkException e) {
            throw from(operation, e);
        }
    }

    @Override
    public boolean isTransient() {
        return transientFailure;
    }

    /**
     * Whether the service may have acted on the request although the call failed: it had the request (a 5xx, a
     * timeout or a connection cut while waiting for the answer). False when it surely did not: refused (4xx,
     * throttled) or never reached.
     */
    @Override
    public boolean maybeApplied() {
        return maybeApplied;
    }

    public boolean isThrottled() {
        return throttled;
    }

    public String errorCode() {
        return errorCode;
    }

    /**
     * This failure of a call's last attempt, as the call's failure when an earlier attempt may have been acted on: the
     * call as a whole may have been, whatever this attempt met.
     */
    @Override
    public AwsCallException maybeAppliedEarlier() {
        if (maybeApplied) {
            return this;
        }
        AwsCallException e = new AwsCallException(getMessage() + " (an earlier attempt failed after the service had it)",
                transientFailure, throttled, errorCode, getCause(), true);
        e.setStackTrace(getStackTrace());
        return e;
    }

    /** The outcome of a message whose call failed as a whole with this failure: see {@link #maybeApplied()}. */
    public SendOutcome outcomeOf(String jobId) {
        return new SendOutcome(jobId, false, isTransient(), errorCode(), getMessage(), maybeApplied());
    }
}
