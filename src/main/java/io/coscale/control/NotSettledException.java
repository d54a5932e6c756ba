package io.coscale.control;

/**
 * coscale's own refusal to lower a count just after it started or took the lease over: ECS reads may not yet show
 * what the coscale before recorded or set ({@code coscale.control.exit-settle}). Nothing changed; the worker retries.
 */
public final class NotSettledException extends RuntimeException {

    public NotSettledException(String message) {
        super(message);
    }
}
