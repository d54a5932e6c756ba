package io.coscale.config;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * Which bearer secrets each configured token accepts. A token's own {@code secret} setting wins; without one, the
 * token secret's key {@code <name>} holds it, and its key {@code <name>_old}, while present, is accepted too: the
 * overlap of a rotation. Pure, so the rule is table-tested.
 */
public final class TokenSecrets {

    /** The key of a token's previous secret during a rotation: {@code <name>_old}. */
    public static final String OLD_SUFFIX = "_old";
    private static final String PREFIX = "coscale.auth.tokens.";

    private TokenSecrets() {
    }

    /** One token as it is accepted: every secret it may present (current first), its roles and pools. */
    public record Accepted(String name, List<String> secrets, Set<String> roles, Optional<Set<String>> pools) {
    }

    /** Every configured token with the secrets it accepts now, by name; a token with none accepts nothing. */
    public static List<Accepted> resolve(Map<String, AuthConfig.Token> tokens, Map<String, String> document) {
        List<Accepted> accepted = new ArrayList<>();
        new TreeMap<>(tokens).forEach((name, token) -> {
            List<String> secrets = new ArrayList<>();
            token.secret().ifPresentOrElse(secret -> addIfSet(secrets, secret), () -> {
                addIfSet(secrets, document.get(name));
                addIfSet(secrets, document.get(name + OLD_SUFFIX));
            });
            accepted.add(new Accepted(name, List.copyOf(secrets), token.roles(), token.pools()));
        });
        return accepted;
    }

    /**
     * What is wrong with the tokens as resolved, each naming its key and never a secret: a token without any
     * secret, a blank configured secret, or one secret shared by two tokens (the caller would be ambiguous).
     */
    public static List<String> problems(Map<String, AuthConfig.Token> tokens, Map<String, String> document,
            boolean secretConfigured) {
        List<String> problems = new ArrayList<>();
        Map<String, String> nameBySecret = new HashMap<>();
        for (Accepted token : resolve(tokens, document)) {
            String name = token.name();
            if (tokens.get(name).secret().isPresent() && token.secrets().isEmpty()) {
                problems.add(PREFIX + name + ".secret is blank");
            } else if (token.secrets().isEmpty()) {
                problems.add(PREFIX + name + ".secret is not set" + (secretConfigured
                        ? " and coscale.auth.token-secret has no key '" + name + "'"
                        : "; set it, or set coscale.auth.token-secret to a secret with the key '" + name + "'"));
            }
            for (String secret : token.secrets()) {
                String other = nameBySecret.putIfAbsent(secret, name);
                if (other != null && !other.equals(name)) {
                    problems.add(PREFIX + name + ".secret is the same as " + PREFIX + other + ".secret");
                }
            }
        }
        return problems;
    }

    private static void addIfSet(List<String> secrets, String secret) {
        if (secret != null && !secret.isBlank()) {
            secrets.add(secret.strip());
        }
    }
}
