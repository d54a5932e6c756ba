package io.coscale.api;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.coscale.api.auth.AccessRules;
import io.coscale.api.auth.Role;
import io.coscale.api.problem.ApiRoutes;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The 401 and 403 that {@code /q/openapi} documents on every operation, driven with auth on: no token, then a
 * token whose roles do not include the one the operation needs. The other statuses: {@link OpenApiDriftTest}.
 */
@QuarkusTest
@TestProfile(AuthTestProfile.class)
class OpenApiAuthDriftTest {

    /** For each role, a token that lacks it. */
    static final Map<Role, String> WRONG_TOKEN = Map.of(
            Role.SUBMIT, AuthTestProfile.READ,
            Role.WORKER, AuthTestProfile.SUBMIT,
            Role.READ, AuthTestProfile.WORKER,
            Role.REPLICA, AuthTestProfile.SUBMIT,
            Role.ADMIN, AuthTestProfile.READ);

    @Test
    @SuppressWarnings("unchecked")
    void everyOperationAnswers401WithoutATokenAnd403WithTheWrongOneAsDocumented() {
        Map<String, Map<String, Object>> paths = given().header("Authorization", "Bearer " + AuthTestProfile.READ)
                .get("/q/openapi?format=json").then().statusCode(200).extract().jsonPath().getMap("paths");
        ApiRoutes.routes().forEach((template, methods) -> {
            String path = template.replace("{pool}", "demo");
            for (String method : methods) {
                Map<String, Object> operation = (Map<String, Object>) paths.get(template).get(method.toLowerCase(Locale.ROOT));
                Set<String> documented = ((Map<String, Object>) operation.get("responses")).keySet();
                Role role = AccessRules.requiredRole(method, path).orElseThrow();

                Response anonymous = given().urlEncodingEnabled(false).contentType("application/json").body("{}")
                        .request(method, path);
                Response wrongRole = given().urlEncodingEnabled(false).contentType("application/json").body("{}")
                        .header("Authorization", "Bearer " + WRONG_TOKEN.get(role)).request(method, path);

                assertThat(anonymous.statusCode()).as(method + " " + path + " without a token").isEqualTo(401);
                assertThat(wrongRole.statusCode()).as(method + " " + path + " without role " + role).isEqualTo(403);
                assertThat(documented).as(method + " " + template).contains("401", "403");
            }
        });
    }
}
