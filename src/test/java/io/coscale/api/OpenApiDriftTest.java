package io.coscale.api;

import static io.coscale.api.Api.json;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.coscale.api.problem.ApiRoutes;
import io.coscale.api.problem.Problem;
import io.coscale.local.LocalCloud;
import io.coscale.local.LocalCloudTestResource;
import io.coscale.local.ecs.FaultInjector;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.RestAssured;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import jakarta.inject.Inject;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * {@code /q/openapi} against the API itself: each operation documents exactly the statuses it can answer, and
 * every status driven here for real is among the documented ones of its operation. 401 and 403 are driven with auth
 * on, in {@link OpenApiAuthDriftTest}; 500 is documented everywhere (the unhandled-exception mapper) but cannot be
 * provoked from outside. The paths and methods are also {@link ApiRoutes}', which a wrong method's 405 lists.
 */
@QuarkusTest
@QuarkusTestResource(LocalCloudTestResource.class)
@TestProfile(ApiTestProfile.class)
class OpenApiDriftTest {

    static final Set<String> JOBS = Set.of("202", "400", "401", "403", "404", "409", "413", "415", "422", "500", "502", "503");
    static final Set<String> WORKER = Set.of("200", "400", "401", "403", "415", "500", "503");

    /** What each operation can answer: "METHOD path" → statuses. */
    static final Map<String, Set<String>> ANSWERS = Map.ofEntries(
            Map.entry("POST /v1/pools/{pool}/jobs", JOBS),
            Map.entry("POST /v1/pools/{pool}/jobs:batch", JOBS),
            Map.entry("POST /v1/claim", WORKER),
            Map.entry("POST /v1/release", WORKER),
            Map.entry("GET /v1/pools", Set.of("200", "400", "401", "403", "500")),
            Map.entry("PUT /v1/pools/{pool}", Set.of("200", "201", "400", "401", "403", "412", "415", "422", "500", "503")),
            Map.entry("DELETE /v1/pools/{pool}", Set.of("204", "400", "401", "403", "404", "412", "500", "503")),
            Map.entry("GET /v1/pools/{pool}/definition", Set.of("200", "401", "403", "404", "500", "503")),
            Map.entry("GET /v1/pools/{pool}", Set.of("200", "401", "403", "404", "500")),
            Map.entry("GET /v1/pools/{pool}/events", Set.of("200", "400", "401", "403", "404", "500")),
            Map.entry("GET /v1/pools/{pool}/samples", Set.of("200", "401", "403", "404", "500")),
            Map.entry("POST /v1/pools/{pool}/jobs:counted", Set.of("200", "400", "401", "403", "404", "415", "500", "503")),
            Map.entry("GET /v1/leader", Set.of("200", "401", "403", "500")),
            Map.entry("GET /local/v1/stats", Set.of("200", "401", "403", "404", "500")),
            Map.entry("GET /local/v1/faults", Set.of("200", "401", "403", "404", "500")),
            Map.entry("PUT /local/v1/faults", Set.of("200", "400", "401", "403", "404", "415", "500")),
            Map.entry("DELETE /local/v1/faults", Set.of("200", "401", "403", "404", "500")),
            Map.entry("POST /local/v1/faults/task-stops", Set.of("200", "400", "401", "403", "404", "415", "500")));

    static Map<String, Object> document;

    @Inject
    EcsClient ecs;

    @Inject
    LocalCloud localCloud;

    @Inject
    SqsClient sqs;

    @BeforeEach
    void readTheDocument() {
        if (document == null) {
            document = given().accept("application/json").get("/q/openapi?format=json").then().statusCode(200)
                    .extract().jsonPath().getMap("$");
        }
    }

    @AfterEach
    void clearFaults() {
        localCloud.emulator().orElseThrow().faults().clear();
    }

    /** Every operation of the document, "METHOD path" → the operation object. */
    @SuppressWarnings("unchecked")
    static Map<String, Map<String, Object>> operations() {
        Map<String, Map<String, Object>> operations = new TreeMap<>();
        ((Map<String, Map<String, Object>>) document.get("paths")).forEach((path, item) -> item.forEach((method, op) -> {
            if (op instanceof Map<?, ?> operation) {
                operations.put(method.toUpperCase(Locale.ROOT) + " " + path, (Map<String, Object>) operation);
            }
        }));
        return operations;
    }

    @SuppressWarnings("unchecked")
    static Map<String, Map<String, Object>> responses(String operation) {
        Map<String, Object> op = operations().get(operation);
        assertThat(op).as(operation + " in /q/openapi").isNotNull();
        return (Map<String, Map<String, Object>>) op.get("responses");
    }

    /** Asserts that {@code response} has the expected status and that the operation documents it; returns it. */
    static Response answers(String operation, int status, Response response) {
        assertThat(response.statusCode()).as(operation + ": " + response.asString()).isEqualTo(status);
        assertThat(responses(operation)).as("documented responses of " + operation).containsKey(Integer.toString(status));
        if (status >= 400) {
            assertThat(response.contentType()).as(operation + " " + status).startsWith(Problem.MEDIA_TYPE);
        }
        return response;
    }

    @Test
    void eachOperationDocumentsExactlyTheStatusesItCanAnswer() {
        Map<String, Set<String>> documented = new TreeMap<>();
        operations().forEach((name, op) -> documented.put(name, new TreeSet<>(responses(name).keySet())));
        Map<String, Set<String>> expected = new TreeMap<>();
        ANSWERS.forEach((name, statuses) -> expected.put(name, new TreeSet<>(statuses)));
        assertThat(documented).isEqualTo(expected);
    }

    @Test
    void thePathsAndMethodsAreTheOnesAWrongMethodIsToldAbout() {
        Map<String, Set<String>> documented = new TreeMap<>();
        operations().keySet().forEach(name -> documented.computeIfAbsent(name.substring(name.indexOf(' ') + 1),
                p -> new TreeSet<>()).add(name.substring(0, name.indexOf(' '))));
        assertThat(documented).isEqualTo(new TreeMap<>(ApiRoutes.routes()));
    }

    @Test
    @SuppressWarnings("unchecked")
    void everyErrorIsAProblemAndEveryApiOperationNeedsTheBearerToken() {
        Map<String, Object> schemes = (Map<String, Object>) ((Map<String, Object>) document.get("components")).get("securitySchemes");
        assertThat((Map<String, Object>) schemes.get("bearer")).containsEntry("type", "http").containsEntry("scheme", "bearer");
        operations().forEach((name, op) -> {
            assertThat((String) op.get("summary")).as("summary of " + name).isNotBlank();
            assertThat((List<Map<String, Object>>) op.get("security")).as("security of " + name)
                    .containsExactly(Map.of("bearer", List.of()));
            responses(name).forEach((status, response) -> {
                Map<String, Object> content = (Map<String, Object>) response.get("content");
                if (status.startsWith("4") || status.startsWith("5")) {
                    assertThat(content).as(name + " " + status).containsOnlyKeys(Problem.MEDIA_TYPE);
                    assertThat(((Map<String, Object>) content.get(Problem.MEDIA_TYPE)).get("schema"))
                            .isEqualTo(Map.of("$ref", "#/components/schemas/Problem"));
                }
            });
        });
        Map<String, Object> problem = schema("Problem");
        assertThat((Map<String, Object>) problem.get("properties")).containsKeys("type", "title", "status", "detail", "instance");
    }

    @Test
    @SuppressWarnings("unchecked")
    void bodiesAndAnswersHaveTheSchemasOfTheirRecords() {
        assertThat(requestSchema("POST /v1/pools/{pool}/jobs")).isEqualTo("#/components/schemas/Job");
        assertThat(requestSchema("POST /v1/pools/{pool}/jobs:batch")).isEqualTo("#/components/schemas/JobBatch");
        assertThat(requestSchema("POST /v1/claim")).isEqualTo("#/components/schemas/WorkerRequest");
        assertThat(responseSchema("POST /v1/pools/{pool}/jobs", "202")).isEqualTo("#/components/schemas/Accepted");
        assertThat(responseSchema("POST /v1/pools/{pool}/jobs:batch", "202")).isEqualTo("#/components/schemas/BatchAccepted");
        assertThat(responseSchema("POST /v1/claim", "200")).isEqualTo("#/components/schemas/ClaimResponse");
        assertThat(responseSchema("POST /v1/release", "200")).isEqualTo("#/components/schemas/ReleaseResponse");
        assertThat(((Map<String, Object>) document.get("components")).get("schemas").toString())
                .as("no Jackson internals").doesNotContain("JsonNode");

        Map<String, Object> job = (Map<String, Object>) schema("Job").get("properties");
        assertThat(job).containsOnlyKeys("payload", "delaySeconds", "attributes", "deduplicationId", "messageGroupId");
        assertThat((Map<String, Object>) job.get("delaySeconds")).containsEntry("minimum", 0).containsEntry("maximum", 900);
        assertThat((List<String>) schema("Job").get("required")).containsExactly("payload");

        Map<String, Object> limit = ((List<Map<String, Object>>) operations().get("GET /v1/pools/{pool}/events")
                .get("parameters")).stream().filter(p -> "limit".equals(p.get("name"))).findFirst().orElseThrow();
        assertThat((Map<String, Object>) limit.get("schema")).containsEntry("type", "integer")
                .containsEntry("minimum", 1).containsEntry("maximum", 1000);
    }

    @Test
    void submissionsAnswerWhatTheyDocument() {
        Api.queue(sqs, "idle");
        String jobs = "POST /v1/pools/{pool}/jobs";
        answers(jobs, 202, json("{\"payload\": 1}").post("/v1/pools/idle/jobs"));
        answers(jobs, 400, json("{\"payload\": 1, \"delaySeconds\": 901}").post("/v1/pools/idle/jobs"));
        answers(jobs, 404, json("{\"payload\": 1}").post("/v1/pools/nope/jobs"));
        answers(jobs, 413, json("{\"payload\": \"" + "x".repeat(256 * 1024 + 1) + "\"}").post("/v1/pools/idle/jobs"));
        answers(jobs, 415, given().contentType("text/plain").body("{\"payload\": 1}").post("/v1/pools/idle/jobs"));
        answers(jobs, 503, json("{\"payload\": 1}").post("/v1/pools/gone/jobs"));
        answers(jobs, 422, json("{\"payload\": null}").post("/v1/pools/idle/jobs"));
        String key = UUID.randomUUID().toString();
        answers(jobs, 202, json("{\"payload\": 1}").header("Idempotency-Key", key).post("/v1/pools/idle/jobs"));
        answers(jobs, 422, json("{\"payload\": 2}").header("Idempotency-Key", key).post("/v1/pools/idle/jobs"));

        String batch = "POST /v1/pools/{pool}/jobs:batch";
        answers(batch, 202, json("{\"jobs\": [{\"payload\": 1}]}").post("/v1/pools/idle/jobs:batch"));
        answers(batch, 400, json("{\"jobs\": []}").post("/v1/pools/idle/jobs:batch"));
        answers(batch, 404, json("{\"jobs\": [{\"payload\": 1}]}").post("/v1/pools/nope/jobs:batch"));
        answers(batch, 415, given().urlEncodingEnabled(false).contentType("text/plain").body("{}").post("/v1/pools/idle/jobs:batch"));
        answers(batch, 503, json("{\"jobs\": [{\"payload\": 1}]}").post("/v1/pools/gone/jobs:batch"));
        answers(batch, 422, json("{\"jobs\": [{\"payload\": 2}]}").header("Idempotency-Key", key).post("/v1/pools/idle/jobs:batch"));
        answers(batch, 422, json("{\"jobs\": [{\"payload\": 2}, {\"payload\": null}]}").post("/v1/pools/idle/jobs:batch"));
        for (String operation : List.of(jobs, batch)) {
            assertThat((String) responses(operation).get("422").get("description")).as(operation).contains("null");
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void aJobsPayloadMayBeAnyJsonValueButNull() {
        Map<String, Object> payload = (Map<String, Object>) ((Map<String, Object>) schema("Job").get("properties")).get("payload");
        assertThat(payload).doesNotContainKey("nullable");
        List<Map<String, Object>> oneOf = (List<Map<String, Object>>) payload.get("oneOf");
        assertThat(oneOf).extracting(s -> s.get("type")).containsExactlyInAnyOrder("object", "array", "string", "number", "boolean");
        assertThat((String) payload.get("description")).contains("but null");
    }

    /** The operations by audience, in the order the document (and so Swagger UI) lists their groups. */
    static final Map<String, List<String>> TAGS = new java.util.LinkedHashMap<>();

    static {
        TAGS.put("jobs", List.of("POST /v1/pools/{pool}/jobs", "POST /v1/pools/{pool}/jobs:batch"));
        TAGS.put("workers", List.of("POST /v1/claim", "POST /v1/release"));
        TAGS.put("pools", List.of("GET /v1/pools", "GET /v1/pools/{pool}", "GET /v1/pools/{pool}/events",
                "GET /v1/pools/{pool}/samples", "PUT /v1/pools/{pool}", "DELETE /v1/pools/{pool}",
                "GET /v1/pools/{pool}/definition"));
        TAGS.put("health", List.of("GET /v1/leader"));
        TAGS.put("local cloud", List.of("GET /local/v1/stats", "GET /local/v1/faults", "PUT /local/v1/faults",
                "DELETE /local/v1/faults", "POST /local/v1/faults/task-stops"));
        TAGS.put("replicas (internal)", List.of("POST /v1/pools/{pool}/jobs:counted"));
    }

    @Test
    @SuppressWarnings("unchecked")
    void operationsAreGroupedByAudienceTheLocalCloudAndTheReplicasCallLast() {
        List<Map<String, Object>> tags = (List<Map<String, Object>>) document.get("tags");
        assertThat(tags).extracting(t -> t.get("name")).containsExactlyElementsOf(TAGS.keySet());
        assertThat(tags).allSatisfy(t -> assertThat((String) t.get("description")).isNotBlank());
        Map<String, List<String>> grouped = new java.util.LinkedHashMap<>();
        operations().forEach((name, op) -> {
            List<String> opTags = (List<String>) op.get("tags");
            assertThat(opTags).as("tags of " + name).hasSize(1);
            grouped.computeIfAbsent(opTags.get(0), t -> new java.util.ArrayList<>()).add(name);
        });
        TAGS.forEach((tag, ops) -> assertThat(grouped.get(tag)).as(tag).containsExactlyInAnyOrderElementsOf(ops));
        assertThat(grouped.keySet()).containsExactlyInAnyOrderElementsOf(TAGS.keySet());
    }

    @Test
    @SuppressWarnings("unchecked")
    void bothSubmissionsDocumentTheIdempotencyKeyAndTheReplayHeader() {
        for (String operation : List.of("POST /v1/pools/{pool}/jobs", "POST /v1/pools/{pool}/jobs:batch")) {
            List<Map<String, Object>> parameters = (List<Map<String, Object>>) operations().get(operation).get("parameters");
            assertThat(parameters).as(operation).anySatisfy(p -> assertThat(p)
                    .containsEntry("name", "Idempotency-Key").containsEntry("in", "header"));
            assertThat((Map<String, Object>) responses(operation).get("202").get("headers")).as(operation)
                    .containsKey(IdempotentSubmissions.REPLAYED);
        }
    }

    @Test
    void aBodyOverTheHttpLimitIs413() throws Exception {
        // Only the head of a 20 MB batch is sent: the server answers from Content-Length, before reading any body.
        String answer;
        try (Socket socket = new Socket("127.0.0.1", RestAssured.port)) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(("POST /v1/pools/idle/jobs:batch HTTP/1.1\r\nHost: localhost\r\n"
                    + "Content-Type: application/json\r\nContent-Length: 20000000\r\nExpect: 100-continue\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8); // until closed
        }

        assertThat(answer).startsWith("HTTP/1.1 413").containsIgnoringCase("content-type: " + Problem.MEDIA_TYPE)
                .contains("\"status\":413").contains("the limit is 10485760");
        assertThat(responses("POST /v1/pools/{pool}/jobs:batch")).containsKey("413");
    }

    @Test
    void claimAndReleaseAnswerWhatTheyDocument() {
        String task = Api.liveDemoTask(ecs, 1);
        for (String path : List.of("/v1/claim", "/v1/release")) {
            String operation = "POST " + path;
            answers(operation, 400, json("{\"taskArn\": \"not-an-arn\"}").post(path));
            answers(operation, 403, json("{\"taskArn\": \"" + unknownTask() + "\"}").post(path));
            answers(operation, 415, given().contentType("text/plain").body("{}").post(path));
        }
        answers("POST /v1/claim", 200, json("{\"taskArn\": \"" + task + "\"}").post("/v1/claim"));
        answers("POST /v1/release", 200, json("{\"taskArn\": \"" + task + "\"}").post("/v1/release"));

        localCloud.emulator().orElseThrow().faults()
                .set("DescribeTasks", new FaultInjector.Fault(Duration.ZERO, 1.0, "ServerException"));
        for (String path : List.of("/v1/claim", "/v1/release")) {
            answers("POST " + path, 503, json("{\"taskArn\": \"" + unknownTask() + "\"}").post(path));
        }
    }

    @Test
    void readsAnswerWhatTheyDocument() {
        answers("GET /v1/pools", 200, given().get("/v1/pools"));
        answers("GET /v1/pools/{pool}", 200, given().get("/v1/pools/demo"));
        answers("GET /v1/pools/{pool}", 404, given().get("/v1/pools/nope"));
        answers("GET /v1/pools/{pool}/events", 200, given().get("/v1/pools/demo/events?limit=5"));
        answers("GET /v1/pools/{pool}/events", 400, given().get("/v1/pools/demo/events?limit=abc"));
        answers("GET /v1/pools/{pool}/events", 404, given().get("/v1/pools/nope/events"));
        answers("GET /v1/pools", 400, given().get("/v1/pools?limit=0"));
        answers("GET /v1/pools/{pool}/definition", 200, given().get("/v1/pools/demo/definition"));
        answers("GET /v1/pools/{pool}/definition", 404, given().get("/v1/pools/nope/definition"));
    }

    @Test
    void poolDefinitionsAnswerWhatTheyDocument() {
        Api.queue(sqs, "drift");
        ecs.createService(b -> b.cluster("local").serviceName("drift").taskDefinition("demo-worker").desiredCount(0));
        String put = "PUT /v1/pools/{pool}";
        String delete = "DELETE /v1/pools/{pool}";
        String definition = PoolDataResourceTest.definition("drift", 1);
        answers(put, 201, json(definition).put("/v1/pools/drift"));
        answers(put, 200, json(definition).put("/v1/pools/drift"));
        answers(put, 400, json("{").put("/v1/pools/drift"));
        answers(put, 412, json(definition).header("If-Match", "\"9\"").put("/v1/pools/drift"));
        answers(put, 415, given().contentType("text/plain").body(definition).put("/v1/pools/drift"));
        answers(put, 422, json(PoolDataResourceTest.definition("drift", 0)).put("/v1/pools/drift"));
        answers(delete, 400, given().header("If-Match", "x").delete("/v1/pools/drift"));
        answers(delete, 412, given().header("If-Match", "\"9\"").delete("/v1/pools/drift"));
        answers(delete, 204, given().delete("/v1/pools/drift"));
        answers(delete, 404, given().delete("/v1/pools/drift"));
    }

    @Test
    void theLocalCloudsEndpointsAnswerWhatTheyDocument() {
        answers("GET /local/v1/stats", 200, given().get("/local/v1/stats"));
        answers("GET /local/v1/faults", 200, given().get("/local/v1/faults"));
        answers("PUT /local/v1/faults", 200, json("{\"ecsStaleReadsMs\": 0}").put("/local/v1/faults"));
        answers("PUT /local/v1/faults", 400, json("{\"ecsStaleReadsMs\": -1}").put("/local/v1/faults"));
        answers("PUT /local/v1/faults", 415, given().contentType("text/plain").body("{}").put("/local/v1/faults"));
        answers("DELETE /local/v1/faults", 200, given().delete("/local/v1/faults"));
        String unknownTask = "arn:aws:ecs:us-east-1:000000000000:task/local/0123456789abcdef0123456789abcdef";
        answers("POST /local/v1/faults/task-stops", 404, json("{\"taskArn\": \"" + unknownTask
                + "\", \"kind\": \"SpotInterruption\"}").post("/local/v1/faults/task-stops"));
        answers("POST /local/v1/faults/task-stops", 400, json("{\"taskArn\": \"" + unknownTask
                + "\", \"kind\": \"Meteor\"}").post("/local/v1/faults/task-stops"));
        answers("POST /local/v1/faults/task-stops", 400, json("{\"kind\": \"SpotInterruption\"}")
                .post("/local/v1/faults/task-stops"));
        answers("POST /local/v1/faults/task-stops", 415, given().contentType("text/plain").body("{}")
                .post("/local/v1/faults/task-stops"));
    }

    @Test
    void aWrongMethodOnAKnownPathIs405WithTheAllowedMethods() {
        Map<String, String> allow = new HashMap<>();
        allow.put("GET /v1/claim", "POST");
        allow.put("GET /v1/release", "POST");
        allow.put("GET /v1/pools/demo/jobs", "POST");
        allow.put("PUT /v1/pools/demo/jobs:batch", "POST");
        allow.put("DELETE /v1/pools", "GET, HEAD");
        allow.put("POST /v1/pools/demo", "GET, HEAD, PUT, DELETE");
        allow.put("PATCH /v1/pools/demo/events", "GET, HEAD");
        allow.put("POST /local/v1/faults", "GET, HEAD, PUT, DELETE");
        allow.forEach((request, methods) -> {
            String[] parts = request.split(" ");
            RequestSpecification spec = given().urlEncodingEnabled(false).contentType("application/json").body("{}");
            Response response = spec.request(parts[0], parts[1]);
            assertThat(response.statusCode()).as(request).isEqualTo(405);
            assertThat(response.contentType()).as(request).startsWith(Problem.MEDIA_TYPE);
            assertThat(response.header("Allow")).as(request).isEqualTo(methods);
            assertThat(response.jsonPath().getString("detail")).as(request).contains(parts[0]).contains(methods);
        });
        // HEAD is answered wherever GET is, an unknown path stays 404, and JSON is all there is to accept.
        given().head("/v1/pools").then().statusCode(200);
        given().get("/v1/nothing-here").then().statusCode(404).contentType(Problem.MEDIA_TYPE);
        given().accept("text/plain").get("/v1/pools").then().statusCode(406).contentType(Problem.MEDIA_TYPE);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> schema(String name) {
        return (Map<String, Object>) ((Map<String, Object>) ((Map<String, Object>) document.get("components"))
                .get("schemas")).get(name);
    }

    @SuppressWarnings("unchecked")
    private static String requestSchema(String operation) {
        Map<String, Object> body = (Map<String, Object>) operations().get(operation).get("requestBody");
        return (String) ((Map<String, Object>) ((Map<String, Object>) ((Map<String, Object>) body.get("content"))
                .get("application/json")).get("schema")).get("$ref");
    }

    @SuppressWarnings("unchecked")
    private static String responseSchema(String operation, String status) {
        Map<String, Object> content = (Map<String, Object>) responses(operation).get(status).get("content");
        return (String) ((Map<String, Object>) ((Map<String, Object>) content.get("application/json")).get("schema"))
                .get("$ref");
    }

    private static String unknownTask() {
        return WorkerResourceTest.TASK_PREFIX + UUID.randomUUID().toString().replace("-", "");
    }
}
