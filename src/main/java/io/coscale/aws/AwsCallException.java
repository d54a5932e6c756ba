package io.coscale.aws;

import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkClientException;
import java.util.function.Supplier;
import software.amazon.awssdk.core.exception.SdkException;

/**
 * A failed AWS call, stripped of SDK types. {@link #isTransient()} says whether trying again later can help:
 * throttling, 5xx, timeouts and unreachable endpoints are transient; a rejected request is not.
 */
public final class AwsCallException extends RuntimeException {

    private final boolean transientFailure;
    private final boolean throttled;
    private final String errorCode;

    public AwsCallException(String message, boolean transientFailure, boolean throttled, String errorCode, Throwable cause) {
        super(message, cause);
        this.transientFailure = transientFailure;
        this.throttled = throttled;
        this.errorCode = errorCode;
    }

    /** Classifies an SDK failure of {@code operation}. */
    static AwsCallException from(String operation, SdkException e) {
        if (e instanceof AwsServiceException service) {
            String code = service.awsErrorDetails() == null ? "Unknown" : service.awsErrorDetails().errorCode();
            boolean throttled = service.isThrottlingException() || "ThrottlingException".equals(code)
                    || "RequestLimitExceeded".equals(code);
            boolean transientFailure = throttled || service.statusCode() >= 500;
            String detail = service.awsErrorDetails() == null ? e.getMessage() : service.awsErrorDetails().errorMessage();
            return new AwsCallException(operation + " failed: " + code + ": " + detail, transientFailure, throttled, code, e);
        }
        // Client-side: connection refused, timeouts, unreadable answers — the endpoint may come back.
        boolean transientFailure = e instanceof SdkClientException || e.retryable();
        return new AwsCallException(operation + " failed: " + e.getMessage(), transientFailure, false, "ClientError", e);
    }

    /** Runs one SDK call, turning its failure into an {@code AwsCallException}. */
    static <T> T call(String operation, Supplier<T> call) {
        try {
            return call.get();
        } catch (SdkException e) {
            throw from(operation, e);
        }
    }

    public boolean isTransient() {
        return transientFailure;
    }

    public boolean isThrottled() {
        return throttled;
    }

    public String errorCode() {
        return errorCode;
    }
}
