package io.coscale.config;

import java.util.Map;

/**
 * The keys of {@code coscale.auth.token-secret} as last read; empty when no token secret is set. Read at start and
 * again every {@code coscale.auth.token-refresh}, so a rotated token is accepted without a restart.
 */
public interface TokenSecretSource {

    /** The secret's keys and values as last read: the same instance until a read finds them changed. */
    Map<String, String> current();
}
