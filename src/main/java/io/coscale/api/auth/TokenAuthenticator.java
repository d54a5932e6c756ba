package io.coscale.api.auth;

import io.coscale.config.TokenSecrets;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Finds which configured token a presented bearer secret is, in time that does not depend on how much of it
 * matches. Pure: no Quarkus, so the comparison can be unit-tested directly.
 *
 * <p>Both sides are hashed with SHA-256 and the fixed-length digests compared with {@link MessageDigest#isEqual},
 * which is constant-time for equal lengths since Java 6u17. Hashing first also hides the secret's length, which a
 * length check or an early-exiting compare would leak. Every configured token is compared on every call (no
 * early exit) so that timing does not reveal which one matched either. The secrets themselves are not kept.
 */
public final class TokenAuthenticator {

    private record Entry(String name, byte[] digest, Set<Role> roles, Optional<Set<String>> pools) {
    }

    private final List<Entry> entries;

    /**
     * An authenticator for {@code tokens} as resolved ({@link TokenSecrets}, which strips secrets of surrounding blanks
     * as presented ones are): each of a token's secrets is that token. Role names that are not a {@link Role} are
     * ignored here, because {@link AuthStartupCheck} refuses to start with them.
     */
    public TokenAuthenticator(List<TokenSecrets.Accepted> tokens) {
        List<Entry> list = new ArrayList<>();
        for (TokenSecrets.Accepted token : tokens) {
            for (String secret : token.secrets()) {
                list.add(new Entry(token.name(), sha256(secret), roles(token.roles()), token.pools()));
            }
        }
        this.entries = List.copyOf(list);
    }

    /** The caller whose token's secret equals {@code presented}, or empty; never throws for any input. */
    public Optional<Caller> authenticate(String presented) {
        if (presented == null) {
            return Optional.empty();
        }
        byte[] digest = sha256(presented);
        Entry match = null;
        for (Entry entry : entries) {
            // Non-short-circuit '&' and no break: the loop costs the same whichever entry matches.
            boolean equal = MessageDigest.isEqual(entry.digest(), digest);
            if (equal & match == null) {
                match = entry;
            }
        }
        return match == null ? Optional.empty() : Optional.of(new Caller(match.name(), match.roles(), match.pools()));
    }

    /** Whether two secrets are equal, compared as SHA-256 digests in constant time; null equals nothing. */
    public static boolean secretsEqual(String a, String b) {
        if (a == null || b == null) {
            return false;
        }
        return MessageDigest.isEqual(sha256(a), sha256(b));
    }

    /** How many secrets are accepted (a token in a rotation's overlap has two). */
    public int size() {
        return entries.size();
    }

    public static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every Java platform", e);
        }
    }

    private static Set<Role> roles(Set<String> keys) {
        return keys.stream().map(Role::fromKey).flatMap(Optional::stream).collect(Collectors.toUnmodifiableSet());
    }
}
