package io.coscale.local.ecs;

/**
 * An ECS error as the wire carries it: {@code {"__type": type, "message": …}} with an HTTP status. The AWS
 * SDK maps the type to its own exception class ({@code InvalidParameterException}, {@code
 * ClusterNotFoundException}, …) and treats {@code ThrottlingException} and 5xx as retryable.
 */
final class EcsApiException extends RuntimeException {

    private final String type;
    private final int status;

    EcsApiException(String type, int status, String message) {
        super(message, null, false, false);
        this.type = type;
        this.status = status;
    }

    static EcsApiException invalidParameter(String message) {
        return new EcsApiException("InvalidParameterException", 400, message);
    }

    static EcsApiException client(String message) {
        return new EcsApiException("ClientException", 400, message);
    }

    static EcsApiException clusterNotFound() {
        return new EcsApiException("ClusterNotFoundException", 400, "Cluster not found.");
    }

    static EcsApiException serviceNotFound() {
        return new EcsApiException("ServiceNotFoundException", 400, "Service not found.");
    }

    static EcsApiException throttling() {
        return new EcsApiException("ThrottlingException", 400, "Rate exceeded");
    }

    static EcsApiException server(String message) {
        return new EcsApiException("ServerException", 500, message);
    }

    String type() {
        return type;
    }

    int status() {
        return status;
    }
}
