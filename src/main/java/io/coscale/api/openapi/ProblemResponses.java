package io.coscale.api.openapi;

import io.coscale.api.problem.Problem;
import java.util.Map;
import org.eclipse.microprofile.openapi.OASFactory;
import org.eclipse.microprofile.openapi.OASFilter;
import org.eclipse.microprofile.openapi.models.OpenAPI;
import org.eclipse.microprofile.openapi.models.Operation;
import org.eclipse.microprofile.openapi.models.PathItem;
import org.eclipse.microprofile.openapi.models.responses.APIResponse;
import org.eclipse.microprofile.openapi.models.responses.APIResponses;

/**
 * Adds to {@code /q/openapi} what every operation shares, so the resources' annotations list only their own
 * outcomes: the 401 and 403 of bearer auth on every operation that requires it, the 500 any operation may answer,
 * and, on every error response, the {@code application/problem+json} body all coscale errors have. Registered
 * with {@code mp.openapi.filter}.
 */
public class ProblemResponses implements OASFilter {

    /** The name of the problem schema in the document's components. */
    public static final String PROBLEM_SCHEMA = "Problem";

    @Override
    public void filterOpenAPI(OpenAPI openAPI) {
        if (openAPI.getPaths() == null || openAPI.getPaths().getPathItems() == null) {
            return;
        }
        for (PathItem item : openAPI.getPaths().getPathItems().values()) {
            for (Operation operation : item.getOperations().values()) {
                complete(operation);
            }
        }
    }

    private static void complete(Operation operation) {
        APIResponses responses = operation.getResponses();
        if (responses == null) {
            return;
        }
        if (operation.getSecurity() != null && !operation.getSecurity().isEmpty()) {
            addIfAbsent(responses, "401", "No valid bearer token (WWW-Authenticate: Bearer).");
            addIfAbsent(responses, "403", "The token lacks the role this operation needs.");
        }
        addIfAbsent(responses, "500", "An unexpected failure; instance is an incident id to quote (the details are "
                + "only in coscale's log).");
        for (Map.Entry<String, APIResponse> e : responses.getAPIResponses().entrySet()) {
            if (e.getKey().startsWith("4") || e.getKey().startsWith("5")) {
                e.getValue().setContent(OASFactory.createContent().addMediaType(Problem.MEDIA_TYPE,
                        OASFactory.createMediaType().schema(
                                OASFactory.createSchema().ref("#/components/schemas/" + PROBLEM_SCHEMA))));
            }
        }
    }

    private static void addIfAbsent(APIResponses responses, String status, String description) {
        if (!responses.hasAPIResponse(status)) {
            responses.addAPIResponse(status, OASFactory.createAPIResponse().description(description));
        }
    }
}
