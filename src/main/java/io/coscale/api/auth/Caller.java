package io.coscale.api.auth;

import java.security.Principal;
import java.util.Set;

/**
 * An authenticated API caller: the configured name of the token it presented and that token's roles.
 *
 * @param tokenName the key under {@code coscale.auth.tokens}; safe to log
 * @param roles the roles the token holds
 */
public record Caller(String tokenName, Set<Role> roles) implements Principal {

    public Caller {
        roles = Set.copyOf(roles);
    }

    /** Whether this caller may act in {@code required}: it holds that role, or {@code admin}. */
    public boolean has(Role required) {
        return roles.contains(Role.ADMIN) || roles.contains(required);
    }

    /** The token name, so that {@code SecurityContext.getUserPrincipal().getName()} identifies the caller. */
    @Override
    public String getName() {
        return tokenName;
    }
}
