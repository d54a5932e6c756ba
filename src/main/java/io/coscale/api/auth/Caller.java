package io.coscale.api.auth;

import java.security.Principal;
import java.util.Optional;
import java.util.Set;

/**
 * An authenticated API caller: the configured name of the token it presented, that token's roles, and the pools its
 * worker calls are bound to.
 *
 * @param tokenName the key under {@code coscale.auth.tokens}; safe to log
 * @param roles the roles the token holds
 * @param pools the only pools whose tasks it may claim and release; empty when it may act on every pool
 */
public record Caller(String tokenName, Set<Role> roles, Optional<Set<String>> pools) implements Principal {

    public Caller {
        roles = Set.copyOf(roles);
        pools = pools.map(Set::copyOf);
    }

    /** A caller not bound to any pool. */
    public Caller(String tokenName, Set<Role> roles) {
        this(tokenName, roles, Optional.empty());
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
