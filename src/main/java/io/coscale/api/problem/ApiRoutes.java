package io.coscale.api.problem;

import io.coscale.api.auth.AccessRules;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The API's paths and the methods each takes, so that a wrong method on a known path is a 405 that says in its
 * {@code Allow} header what would work (RFC 9110 §15.5.6). quarkus-rest 3.33 answers such a request 404 when the
 * path's resource class has no method of that verb at all ({@code GET /v1/pools/demo/jobs}), and 405 without
 * {@code Allow} otherwise. Pure and small; {@code OpenApiDriftTest} holds it equal to the paths and methods of
 * {@code /q/openapi}, so a new endpoint cannot be forgotten here.
 *
 * <p>It only ever shapes an error that JAX-RS already raised: a route missing from this table loses its
 * {@code Allow} header, it is never refused.
 */
public final class ApiRoutes {

    private static final Map<String, Set<String>> ROUTES = new LinkedHashMap<>();

    static {
        ROUTES.put("/v1/pools/{pool}/jobs", Set.of("POST"));
        ROUTES.put("/v1/pools/{pool}/jobs:batch", Set.of("POST"));
        ROUTES.put("/v1/claim", Set.of("POST"));
        ROUTES.put("/v1/release", Set.of("POST"));
        ROUTES.put("/v1/pools", Set.of("GET"));
        ROUTES.put("/v1/pools/{pool}", Set.of("GET", "PUT", "DELETE"));
        ROUTES.put("/v1/pools/{pool}/definition", Set.of("GET"));
        ROUTES.put("/v1/pools/{pool}/events", Set.of("GET"));
        ROUTES.put("/v1/pools/{pool}/samples", Set.of("GET"));
        ROUTES.put("/v1/pools/{pool}/jobs:counted", Set.of("POST"));
        ROUTES.put("/v1/leader", Set.of("GET"));
        ROUTES.put("/local/v1/stats", Set.of("GET"));
        ROUTES.put("/local/v1/faults", Set.of("GET", "PUT", "DELETE"));
        ROUTES.put("/local/v1/faults/task-stops", Set.of("POST"));
    }

    private ApiRoutes() {
    }

    /** Every route template and the methods its resource declares. */
    public static Map<String, Set<String>> routes() {
        return Map.copyOf(ROUTES);
    }

    /**
     * The value of an {@code Allow} header for {@code path}: its declared methods in a fixed order, plus
     * {@code HEAD} where {@code GET} is declared (JAX-RS answers it from the GET method); empty for a path that is
     * not the API's.
     */
    static Optional<String> allowHeader(String path) {
        return methodsOf(path).map(methods -> {
            Set<String> allow = new LinkedHashSet<>();
            for (String method : List.of("GET", "HEAD", "POST", "PUT", "DELETE")) {
                if (methods.contains(method) || (method.equals("HEAD") && methods.contains("GET"))) {
                    allow.add(method);
                }
            }
            return String.join(", ", allow);
        });
    }

    /** The methods declared for {@code path} (canonicalised as {@link AccessRules} does), if it is a route. */
    static Optional<Set<String>> methodsOf(String path) {
        List<String> segments = AccessRules.segments(path);
        return ROUTES.entrySet().stream()
                .filter(route -> matches(AccessRules.segments(route.getKey()), segments))
                .map(Map.Entry::getValue)
                .findFirst();
    }

    private static boolean matches(List<String> template, List<String> segments) {
        if (template.size() != segments.size()) {
            return false;
        }
        for (int i = 0; i < template.size(); i++) {
            String t = template.get(i);
            if (!(t.startsWith("{") && t.endsWith("}")) && !t.equals(segments.get(i))) {
                return false;
            }
        }
        return true;
    }
}
