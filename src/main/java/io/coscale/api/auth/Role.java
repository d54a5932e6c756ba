package io.coscale.api.auth;

import java.util.Locale;
import java.util.Optional;

/** What a caller may do with the API; a token holds one or more roles (docs/API.md, "Authentication"). */
public enum Role {
    /** Submit jobs to a pool. */
    SUBMIT,
    /** Claim and release tasks (docs/API.md, "The worker protocol"). */
    WORKER,
    /** Read pool status and events, and which replica leads. */
    READ,
    /** Pass one replica's job counts to the leader ({@code jobs:counted}): coscale's own credential, no client's. */
    REPLICA,
    /** Everything, including the local-mode endpoints; implies every other role. */
    ADMIN;

    /** The name used in configuration and messages, e.g. {@code submit}. */
    public String key() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The role configured as {@code key} (case-insensitive, surrounding blanks ignored), or empty if unknown. */
    public static Optional<Role> fromKey(String key) {
        String wanted = key == null ? "" : key.strip();
        for (Role role : values()) {
            if (role.key().equalsIgnoreCase(wanted)) {
                return Optional.of(role);
            }
        }
        return Optional.empty();
    }
}
