package io.coscale.deploy;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.coscale.api.ApiTestProfile;
import io.coscale.local.LocalCloudTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The Grafana dashboard in deploy/grafana reads what coscale exports: every metric its queries name is in this
 * application's own {@code /q/metrics}, every panel shows something, and the panels operators need are there. A
 * renamed metric fails here instead of leaving a panel empty in production.
 */
@QuarkusTest
@QuarkusTestResource(LocalCloudTestResource.class)
@TestProfile(ApiTestProfile.class)
class GrafanaDashboardTest {

    private static final Path DASHBOARD = Path.of("deploy", "grafana", "coscale-dashboard.json");
    private static final Pattern METRIC = Pattern.compile("coscale_[a-z_]+");
    private static final String DATASOURCE = "${DS_PROMETHEUS}";
    /** What Prometheus appends to a counter's, a histogram's or a summary's name in its samples. */
    private static final List<String> SUFFIXES = List.of("_bucket", "_sum", "_count", "_total");

    /** A panel operators need: words its title has, and metrics its queries must read. */
    private record Required(List<String> titleWords, List<String> metrics) {
    }

    private static final List<Required> REQUIRED = List.of(
            new Required(List.of("desired", "running", "max"),
                    List.of("coscale_pool_desired_tasks", "coscale_pool_running_tasks", "coscale_pool_max_tasks")),
            new Required(List.of("queue", "visible", "in flight", "delayed"),
                    List.of("coscale_pool_queue_visible", "coscale_pool_queue_in_flight", "coscale_delayed_jobs")),
            new Required(List.of("dead-letter"), List.of("coscale_dead_letter_messages")),
            new Required(List.of("latency"), List.of("coscale_submission_seconds_bucket")),
            new Required(List.of("UpdateService", "calls", "throttles"),
                    List.of("coscale_update_service_calls_total", "coscale_update_service_throttles_total")),
            new Required(List.of("release decisions"), List.of("coscale_release_decisions_total")),
            new Required(List.of("errors"),
                    List.of("coscale_reconcile_errors_total", "coscale_protection_renewal_failures_total")),
            new Required(List.of("leader", "epoch"), List.of("coscale_leader", "coscale_lease_epoch")));

    private static JsonNode dashboard;

    @BeforeAll
    static void load() throws IOException {
        dashboard = new ObjectMapper().readTree(DASHBOARD.toFile());
    }

    @Test
    void everyPanelHasATitleAndAtLeastOneQueryOnThePrometheusVariable() {
        assertThat(panels()).isNotEmpty();
        Set<Integer> ids = new TreeSet<>();
        for (JsonNode panel : panels()) {
            String title = panel.path("title").asText();
            assertThat(title).as("a panel's title (id %s)", panel.path("id")).isNotBlank();
            assertThat(ids.add(panel.path("id").asInt())).as("%s: its id is unique", title).isTrue();
            assertThat(panel.path("datasource").path("uid").asText()).as("%s: datasource", title).isEqualTo(DATASOURCE);
            assertThat(panel.path("targets")).as("%s: targets", title).isNotEmpty();
            Set<String> refIds = new TreeSet<>();
            for (JsonNode target : panel.path("targets")) {
                assertThat(target.path("expr").asText()).as("%s: a query", title).isNotBlank();
                assertThat(refIds.add(target.path("refId").asText())).as("%s: refIds are unique", title).isTrue();
                assertThat(target.path("datasource").path("uid").asText()).as("%s: a query's datasource", title)
                        .isEqualTo(DATASOURCE);
            }
        }
    }

    @Test
    void theDatasourceIsAVariableAndThePoolVariableListsThePoolsCoscaleReports() {
        JsonNode ds = variable("DS_PROMETHEUS");
        assertThat(ds.path("type").asText()).isEqualTo("datasource");
        assertThat(ds.path("query").asText()).isEqualTo("prometheus");

        JsonNode pool = variable("pool");
        assertThat(pool.path("type").asText()).isEqualTo("query");
        assertThat(pool.path("datasource").path("uid").asText()).isEqualTo(DATASOURCE);
        assertThat(query(pool)).isEqualTo("label_values(coscale_pool_desired_tasks, pool)");
    }

    @Test
    void theRequiredPanelsAreThereAndReadTheirMetrics() {
        for (Required required : REQUIRED) {
            List<Set<String>> titled = panels().stream().filter(p -> required.titleWords().stream()
                    .allMatch(word -> lower(p.path("title").asText()).contains(lower(word))))
                    .map(p -> metrics(expressions(p))).toList();
            assertThat(titled).as("a panel titled with %s", required.titleWords()).isNotEmpty();
            assertThat(titled).as("what the panels titled with %s read", required.titleWords())
                    .anySatisfy(read -> assertThat(read).containsAll(required.metrics()));
        }
    }

    @Test
    void everyQueryIsWellBracketedAndQuoted() {
        for (String expr : allExpressions()) {
            assertThat(balanced(expr)).as("brackets and quotes of %s", expr).isTrue();
        }
    }

    @Test
    void everyMetricTheDashboardReadsIsOneCoscaleExports() {
        // Pool-tagged timers appear with a pool's first submission; the pool's gauges and counters are there from
        // its start, the dead-letter gauge from its first reading.
        given().contentType(ContentType.JSON).body("{\"payload\": {\"seconds\": 1}}")
                .post("/v1/pools/demo/jobs").then().statusCode(202);
        Set<String> read = metrics(allExpressions());
        assertThat(read).as("the dashboard reads coscale's metrics").hasSizeGreaterThanOrEqualTo(15);

        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(250)).untilAsserted(() -> {
            String scrape = given().get("/q/metrics").then().statusCode(200).extract().asString();
            Set<String> samples = sampleNames(scrape);
            Set<String> missing = new TreeSet<>(read);
            missing.removeAll(samples);
            assertThat(missing).as("metrics the dashboard reads that /q/metrics does not have").isEmpty();

            Set<String> help = helpNames(scrape);
            assertThat(read).allSatisfy(name -> assertThat(help).as("the HELP line of %s", name)
                    .containsAnyOf(name, stripSuffix(name)));
        });
    }

    private static List<JsonNode> panels() {
        List<JsonNode> panels = new ArrayList<>();
        dashboard.path("panels").forEach(p -> {
            panels.add(p);
            p.path("panels").forEach(panels::add); // a collapsed row keeps its panels inside it
        });
        return panels.stream().filter(p -> !"row".equals(p.path("type").asText())).toList();
    }

    private static JsonNode variable(String name) {
        for (JsonNode v : dashboard.path("templating").path("list")) {
            if (name.equals(v.path("name").asText())) {
                return v;
            }
        }
        throw new AssertionError("no template variable " + name);
    }

    /** A query variable's query: a string in older dashboards, an object with {@code query} since Grafana 10. */
    private static String query(JsonNode variable) {
        JsonNode q = variable.path("query");
        return q.isTextual() ? q.asText() : q.path("query").asText();
    }

    private static List<String> expressions(JsonNode panel) {
        List<String> exprs = new ArrayList<>();
        panel.path("targets").forEach(t -> exprs.add(t.path("expr").asText()));
        return exprs;
    }

    private static List<String> allExpressions() {
        List<String> exprs = new ArrayList<>();
        panels().forEach(p -> exprs.addAll(expressions(p)));
        dashboard.path("templating").path("list").forEach(v -> {
            if ("query".equals(v.path("type").asText())) {
                exprs.add(query(v));
            }
        });
        return exprs;
    }

    private static Set<String> metrics(List<String> exprs) {
        Set<String> names = new TreeSet<>();
        for (String expr : exprs) {
            Matcher m = METRIC.matcher(expr);
            while (m.find()) {
                names.add(m.group());
            }
        }
        return names;
    }

    /** The name of every sample in a Prometheus scrape, as a query names it (with _total, _bucket, …). */
    static Set<String> sampleNames(String scrape) {
        return scrape.lines().filter(l -> !l.isBlank() && !l.startsWith("#"))
                .map(l -> l.split("[{ ]", 2)[0]).collect(Collectors.toCollection(TreeSet::new));
    }

    /** The metric families a scrape has HELP for (a counter's without its _total). */
    static Set<String> helpNames(String scrape) {
        return scrape.lines().filter(l -> l.startsWith("# HELP ")).map(l -> l.split(" ", 4)[2])
                .collect(Collectors.toCollection(TreeSet::new));
    }

    static String stripSuffix(String name) {
        return SUFFIXES.stream().filter(name::endsWith).findFirst()
                .map(s -> name.substring(0, name.length() - s.length())).orElse(name);
    }

    /** Whether (), [] and {} nest and close, and double quotes close, outside quoted strings. */
    static boolean balanced(String expr) {
        StringBuilder open = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < expr.length(); i++) {
            char c = expr.charAt(i);
            if (quoted) {
                if (c == '\\') {
                    i++;
                } else if (c == '"') {
                    quoted = false;
                }
                continue;
            }
            switch (c) {
                case '"' -> quoted = true;
                case '(', '[', '{' -> open.append(c);
                case ')', ']', '}' -> {
                    if (open.isEmpty() || "([{".indexOf(open.charAt(open.length() - 1)) != ")]}".indexOf(c)) {
                        return false;
                    }
                    open.setLength(open.length() - 1);
                }
                default -> {
                }
            }
        }
        return !quoted && open.isEmpty();
    }

    private static String lower(String s) {
        return s.toLowerCase(Locale.ROOT);
    }
}
