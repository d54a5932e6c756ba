package io.coscale.api.auth;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Which role a request needs, from its method and path (docs/API.md, "Authentication"). Pure, so the table is unit-tested without HTTP.
 *
 * <ul>
 *   <li>{@code POST /v1/pools/{pool}/jobs} and {@code POST /v1/pools/{pool}/jobs:batch} → {@code submit}</li>
 *   <li>{@code POST /v1/pools/{pool}/jobs:counted} (between replicas) → {@code replica}</li>
 *   <li>{@code POST /v1/claim}, {@code POST /v1/release} → {@code worker}</li>
 *   <li>{@code GET} or {@code HEAD} of {@code /v1/pools} and anything below it, or of {@code /v1/leader} →
 *       {@code read}</li>
 *   <li>{@code /local/…} and anything else under {@code /v1/} → {@code admin}: among them {@code PUT} and
 *       {@code DELETE /v1/pools/{pool}}, which create, change and delete pools</li>
 *   <li>any other path (e.g. {@code /q/health}, the status page {@code /} and its files, which hold no data and read
 *       the API with the user's token) → open</li>
 * </ul>
 *
 * <p>Paths are canonicalised first (empty and {@code .} segments dropped, {@code ..} resolved, matrix parameters
 * cut) so that {@code //v1/claim} or {@code /x/../v1/claim} cannot reach a resource while looking open. Anything
 * under {@code /v1} the table does not know falls to {@code admin}: new endpoints are closed until listed.
 */
public final class AccessRules {

    private AccessRules() {
    }

    /** The role {@code method path} requires, or empty if the path is open to anyone. */
    public static Optional<Role> requiredRole(String method, String path) {
        List<String> s = segments(path);
        if (s.isEmpty()) {
            return Optional.empty();
        }
        // Case-insensitive on purpose: a route matched case-insensitively must never look open.
        String root = s.get(0).toLowerCase(Locale.ROOT);
        if (root.equals("local")) {
            return Optional.of(Role.ADMIN);
        }
        if (!root.equals("v1")) {
            return Optional.empty();
        }
        String m = method == null ? "" : method.toUpperCase(Locale.ROOT);
        boolean post = m.equals("POST");
        boolean read = m.equals("GET") || m.equals("HEAD");
        if (post && s.size() == 4 && s.get(1).equals("pools")
                && (s.get(3).equals("jobs") || s.get(3).equals("jobs:batch"))) {
            return Optional.of(Role.SUBMIT);
        }
        if (post && s.size() == 4 && s.get(1).equals("pools") && s.get(3).equals("jobs:counted")) {
            return Optional.of(Role.REPLICA);
        }
        if (post && s.size() == 2 && (s.get(1).equals("claim") || s.get(1).equals("release"))) {
            return Optional.of(Role.WORKER);
        }
        if (read && s.size() >= 2 && s.get(1).equals("pools")) {
            return Optional.of(Role.READ);
        }
        if (read && s.size() == 2 && s.get(1).equals("leader")) {
            return Optional.of(Role.READ);
        }
        return Optional.of(Role.ADMIN);
    }

    /** The canonical, decoded segments of {@code path}; a {@code ..} above the root is dropped, as servers do. */
    public static List<String> segments(String path) {
        List<String> out = new ArrayList<>();
        if (path == null) {
            return out;
        }
        for (String raw : path.split("/")) {
            int matrix = raw.indexOf(';');
            String segment = matrix >= 0 ? raw.substring(0, matrix) : raw;
            if (segment.isEmpty() || segment.equals(".")) {
                continue;
            }
            if (segment.equals("..")) {
                if (!out.isEmpty()) {
                    out.remove(out.size() - 1);
                }
                continue;
            }
            out.add(segment);
        }
        return out;
    }
}
